// scriba-bench: prints performance figures. `scriba-bench` runs every benchmark,
// `scriba-bench <name> [<name> …]` only those. Build with `-c release`; debug numbers mean nothing.

import Foundation
import ScribaTensor

BLASRuntime.prepare()

let allBenchmarks: [any Benchmark] = [
    SGEMMBenchmark(),
    KernelBenchmark(),
    ConvBenchmark(),
    MemoryBandwidthBenchmark(),
    GEMVBenchmark(),
]

@MainActor
func usage() -> String {
    var lines = ["usage: scriba-bench [<benchmark> ...]   (no argument: run all)", "       scriba-bench qwen3|qwen3-live|aligner|whisper|diarization|parity --help   (model benchmarks and the Qwen3 parity harness, own options)", "benchmarks:"]
    for benchmark in allBenchmarks { lines.append("  \(benchmark.name)  \(benchmark.summary)") }
    return lines.joined(separator: "\n")
}

// `qwen3`, `aligner`, `whisper`, `diarization` and `parity` take their own options, so they are dispatched before the name check.
let modelBenchmarkArguments = Array(CommandLine.arguments.dropFirst(2))
switch CommandLine.arguments.dropFirst().first {
case "qwen3"?:
    Qwen3Benchmark.main(modelBenchmarkArguments)
    exit(0)
case "aligner"?:
    Qwen3AlignerBenchmark.main(modelBenchmarkArguments)
    exit(0)
case "whisper"?:
    WhisperBenchmark.main(modelBenchmarkArguments)
    exit(0)
case "parity"?:
    ParityBenchmark.main(modelBenchmarkArguments)
    exit(0)
case "diarization"?:
    DiarizationBenchmark.main(modelBenchmarkArguments)
    exit(0)
case "qwen3-live"?:
    Qwen3LiveBenchmark.main(modelBenchmarkArguments)
    exit(0)
default:
    break
}
let requested = Array(CommandLine.arguments.dropFirst())
if requested.contains(where: { $0 == "-h" || $0 == "--help" || $0 == "help" }) {
    print(usage())
    exit(0)
}
let unknown = requested.filter { name in !allBenchmarks.contains { $0.name == name } }
if !unknown.isEmpty {
    let names = unknown.map { "'\($0)'" }.joined(separator: ", ")
    FileHandle.standardError.write(Data("scriba-bench: unknown benchmark \(names); pick one from the list below.\n\(usage())\n".utf8))
    exit(2)
}
print("BLAS kernels: \(BLASRuntime.coreName) (set \(BLASRuntime.keepKernelsVariable)=1 to keep OpenBLAS's own choice)")
for benchmark in allBenchmarks where requested.isEmpty || requested.contains(benchmark.name) {
    benchmark.run()
}
