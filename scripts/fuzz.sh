#!/usr/bin/env bash
# Builds one libFuzzer target (Fuzz/<TARGET>) with address sanitizer and runs it for SECONDS on its
# seed corpus. New interesting inputs go to a scratch corpus (.build-fuzz/corpus/<TARGET>), crashes
# to Fuzz/Crashes/<TARGET>/. Extra arguments go to libFuzzer (e.g. -runs=1000000).
#   scripts/fuzz.sh FuzzWAV 600
#   scripts/fuzz.sh all 30          # every target, one after another (CI)
set -euo pipefail
cd "$(dirname "$0")/.."
TARGETS=(FuzzWAV FuzzSafeTensors FuzzCTranslate2 FuzzTokenizerFiles FuzzBPE FuzzMultipart)
if [[ $# -lt 2 ]]; then
    echo "usage: scripts/fuzz.sh TARGET|all SECONDS [libFuzzer flags...]  (targets: ${TARGETS[*]})" >&2
    exit 2
fi
target=$1 seconds=$2
shift 2
if [[ $target == all ]]; then
    for t in "${TARGETS[@]}"; do "$0" "$t" "$seconds" "$@"; done
    exit 0
fi
if [[ ! -d Fuzz/$target ]]; then
    echo "unknown fuzz target '$target' (targets: ${TARGETS[*]})" >&2
    exit 2
fi
# Its own build folder: sanitizer flags differ from .build. (SwiftPM does not always recompile a
# module when only -Xswiftc flags change; after editing them, delete .build-fuzz.)
build=.build-fuzz
# -sanitize-coverage spelled out: SwiftPM passes -sanitize=fuzzer then -sanitize=address, and the
# Swift 6.3 driver keeps only the last -sanitize, which silently drops the coverage libFuzzer needs
# (and without the inline counters it defaults to trace-pc-guard, which libFuzzer rejects).
SCRIBA_FUZZ=1 swift build --build-path "$build" --sanitize=fuzzer --sanitize=address \
    -Xswiftc -sanitize-coverage=edge,inline-8bit-counters,pc-table,trace-cmp --product "$target" >&2
work=$build/corpus/$target crashes=Fuzz/Crashes/$target
mkdir -p "$work" "$crashes"
# Leak detection is off: Swift's runtime metadata caches and lazily created globals look like leaks
# to LeakSanitizer. Out-of-bounds access, use-after-free, timeouts and OOM stay fatal.
ASAN_OPTIONS=detect_leaks=0:${ASAN_OPTIONS:-} \
"$build/debug/$target" "$work" "Fuzz/Corpus/$target" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024 \
    -artifact_prefix="$crashes/" -print_final_stats=1 "$@"
