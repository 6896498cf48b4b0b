#!/usr/bin/env bash
# Scale-out check (issue 25), called by scripts/ci-services: three `scriba serve --engine whisper`
# on free loopback ports, one batch of the five LibriVox clips cut into ≤ 1.5 s chunks (≥ 20 chunks)
# shared over all three, one server killed (SIGKILL) mid-batch. Checks:
#   1. every output is written and its text equals a one-server run's;
#   2. processing_report.json shows the failover (the killed server's failures, the others' chunks);
#   3. a batch whose servers all die stops cleanly (exit 5, report + manifest written) and a rerun
#      once a server is back resumes: the finished files are skipped, the rest done, texts equal
#      (three of the clips, to keep the check near two minutes on an idle 2-core machine).
#   scripts/server/scale_out_check.sh BIN MODEL [ARTIFACTS]
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=$1 model=$2 artifacts=${3:-.ci-artifacts}/scale-out
log() { printf 'scale-out: %s\n' "$*" >&2; }
fail() { log "FAILED: $*"; exit 1; }

rm -rf "$artifacts"
mkdir -p "$artifacts/in" "$artifacts/in3"
cp Tests/Fixtures/whisper/librivox-0*.wav "$artifacts/in/"
cp Tests/Fixtures/whisper/librivox-08[89]0.wav Tests/Fixtures/whisper/librivox-0930.wav "$artifacts/in3/"
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

declare -a ports pids
start_server() { # index
    local i=$1
    [[ -n "${ports[$i]:-}" ]] || ports[$i]=$(free_port)
    "$bin" serve asr --engine whisper --model "$model" --asr-port "${ports[$i]}" --max-concurrency 1 \
        >"$artifacts/serve-$i.log" 2>&1 &
    pids[$i]=$!
}
wait_ready() { # index
    for _ in $(seq 1 120); do
        curl -sf "http://127.0.0.1:${ports[$1]}/ready" >/dev/null && return 0
        sleep 0.5
    done
    fail "server $1 not ready; log: $artifacts/serve-$1.log"
}
stop_all() {
    for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap stop_all EXIT

for i in 0 1 2; do start_server "$i"; done
for i in 0 1 2; do wait_ready "$i"; done
urls=(--asr-url "http://127.0.0.1:${ports[0]}" --asr-url "http://127.0.0.1:${ports[1]}" --asr-url "http://127.0.0.1:${ports[2]}")
common=(--engine remote --format txt,json --max-chunk-seconds 1.5 --retries 2 --allow-partial)
# The texts of the outputs in FOLDER, for the files named in FOLDER2 (default: all).
texts() { for f in "${2:-$1}"/*.txt; do f="$1/$(basename "$f")"; printf '%s\t%s\n' "$(basename "$f")" "$(cat "$f")"; done; }
# Waits until FOLDER holds N .txt outputs (the batch is under way), or the batch ended.
wait_outputs() { # folder n pid
    for _ in $(seq 1 600); do
        [[ $(find "$1" -maxdepth 1 -name '*.txt' 2>/dev/null | wc -l) -ge $2 ]] && return 0
        kill -0 "$3" 2>/dev/null || return 0
        sleep 0.2
    done
}

log "one-server reference run"
"$bin" subtitles "$artifacts/in" -o "$artifacts/single" --engine remote --asr-url "http://127.0.0.1:${ports[0]}" "${common[@]:2}" >&2

log "the openai backend against Scriba's own /v1/audio/transcriptions"
"$bin" transcribe "$artifacts/in/librivox-0870.wav" --engine remote --asr-api openai --asr-url "http://127.0.0.1:${ports[0]}/v1" \
    --max-chunk-seconds 30 >"$artifacts/openai.txt"
grep -qi dashwood "$artifacts/openai.txt" || fail "openai backend: no 'dashwood' in $(cat "$artifacts/openai.txt")"

log "three servers, server 2 killed mid-batch"
"$bin" subtitles "$artifacts/in" -o "$artifacts/spread" "${urls[@]}" "${common[@]}" >&2 &
batch=$!
wait_outputs "$artifacts/spread" 1 "$batch"
kill -KILL "${pids[1]}"
log "killed server 2 (port ${ports[1]})"
wait "$batch" || fail "the batch failed after one server was killed"
[[ "$(texts "$artifacts/spread")" == "$(texts "$artifacts/single")" ]] || fail "texts differ from the one-server run"
python3 - "$artifacts/spread/processing_report.json" "${ports[1]}" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
chunks = sum(report["chunk_statuses"].values())
assert chunks >= 20, f"only {chunks} chunks"
by_port = {e["url"].rsplit(":", 1)[1]: e for e in report["endpoints"]}
killed = by_port.pop(sys.argv[2])
assert killed["failures"] >= 1 and killed["outages"] >= 1, killed
assert all(e["chunks"] > 0 and not e["given_up"] for e in by_port.values()), by_port
# Every chunk with text was answered by some endpoint (silent ones are never sent).
assert sum(e["chunks"] for e in report["endpoints"]) >= report["chunk_statuses"].get("ok", 0), report["endpoints"]
print(f"scale-out: {chunks} chunks; endpoints: " + "; ".join(
    f'{e["url"]} chunks={e["chunks"]} failures={e["failures"]} outages={e["outages"]} mean={e.get("mean_latency_seconds") or 0:.2f}s'
    for e in report["endpoints"]), file=sys.stderr)
PY

log "all servers killed mid-batch, then a rerun with one server back"
start_server 1
wait_ready 1
"$bin" subtitles "$artifacts/in3" -o "$artifacts/resume" "${urls[@]}" "${common[@]}" >&2 &
batch=$!
wait_outputs "$artifacts/resume" 1 "$batch"
stop_all
status=0
wait "$batch" || status=$?
[[ $status -eq 5 ]] || fail "expected exit 5 (services down), got $status"
[[ -f "$artifacts/resume/processing_report.json" && -f "$artifacts/resume/.scriba-manifest.json" ]] || fail "report or manifest missing"
done_before=$(find "$artifacts/resume" -maxdepth 1 -name '*.txt' | wc -l)
(( done_before >= 1 && done_before < 3 )) || fail "expected a partial batch, found $done_before outputs"
pids=()
start_server 0
wait_ready 0
"$bin" subtitles "$artifacts/in3" -o "$artifacts/resume" "${urls[@]}" "${common[@]}" >&2 || fail "the rerun failed"
python3 - "$artifacts/resume/processing_report.json" "$done_before" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
assert report["skipped"] == int(sys.argv[2]) and report["succeeded"] == 3 - int(sys.argv[2]), (report["skipped"], report["succeeded"])
PY
[[ "$(texts "$artifacts/resume")" == "$(texts "$artifacts/single" "$artifacts/resume")" ]] || fail "resumed texts differ from the one-server run"
log "passed: failover, equal texts, clean stop and resume ($done_before files kept)"
