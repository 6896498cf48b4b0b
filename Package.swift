// swift-tools-version:6.0
import Foundation
import PackageDescription

// Linux links OpenBLAS through the CBLAS system-library target; macOS uses Accelerate
// (see Sources/ScribaTensor/BLAS.swift), so CBLAS is only a dependency on Linux.
let blasDependency: Target.Dependency = .target(name: "CBLAS", condition: .when(platforms: [.linux]))

// The numeric modules are optimised even in debug builds: unoptimised SIMD kernels run 50–100×
// slower, which made the Whisper tests (a real 74 M-parameter model) take over 20 minutes in
// `swift test`. Debug builds of everything else stay debuggable.
let optimisedInDebug: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]

// The numeric modules' SIMD code is compiled for the CPU named by SCRIBA_TARGET_CPU. The default on
// x86-64 Linux is `native`, the machine that builds (AVX2 / AVX-512 and FMA when it has them, as
// whisper.cpp's GGML_NATIVE does): the baseline x86-64 target has only SSE2, so every 16-lane
// vector op would be four. A binary for other machines: SCRIBA_TARGET_CPU=x86-64 (or a CPU name
// such as x86-64-v3); `SCRIBA_TARGET_CPU=` (empty) leaves the compiler's default.
#if os(Linux) && arch(x86_64)
let defaultTargetCPU = "native"
#else
let defaultTargetCPU = ""
#endif
let targetCPU = Context.environment["SCRIBA_TARGET_CPU"] ?? defaultTargetCPU
let numericSettings: [SwiftSetting] = optimisedInDebug + (targetCPU.isEmpty ? [] : [.unsafeFlags(["-target-cpu", targetCPU])])
// The C kernels (instructions Swift's SIMD types cannot reach, such as AVX-512 VNNI) follow the same
// target; without one they compile their portable fallback and report themselves unavailable.
// Contraction off: each result must come from the same instruction sequence in every code path.
// clang names the CPU with -march on x86-64 and -mcpu on Arm (where Swift's CPU names are -mcpu's).
#if arch(x86_64)
let cpuFlag = "-march="
#else
let cpuFlag = "-mcpu="
#endif
let kernelSettings: [CSetting] = [.unsafeFlags(["-O2", "-ffp-contract=off"] + (targetCPU.isEmpty ? [] : [cpuFlag + targetCPU]))]

// The many-row matrix products (encoders, prefill, aligner) in bf16 and int8 run on oneDNN's matmul
// when its headers are installed (Debian: libdnnl-dev) on x86-64 Linux; otherwise they stay on BLAS
// sgemm over widened weights (macOS: Accelerate). SCRIBA_ONEDNN=0 hides oneDNN even when installed,
// to build and test the fallback on a machine that has it.
#if os(Linux) && arch(x86_64)
let oneDNNInstalled = FileManager.default.fileExists(atPath: "/usr/include/oneapi/dnnl/dnnl.h")
#else
let oneDNNInstalled = false
#endif
let oneDNN = oneDNNInstalled && !["0", "off", "no", "false"].contains(Context.environment["SCRIBA_ONEDNN"]?.lowercased() ?? "")
print(oneDNN ? "Scriba matrix backend: oneDNN (bf16/int8 matmul) + OpenBLAS"
             : "Scriba matrix backend: BLAS sgemm only (oneDNN \(oneDNNInstalled ? "hidden by SCRIBA_ONEDNN" : "not found: apt-get install libdnnl-dev"))")
let tensorDependencies: [Target.Dependency] = [blasDependency, "CScribaKernels"] + (oneDNN ? ["CScribaOneDNN"] : [])
let tensorSettings: [SwiftSetting] = numericSettings + (oneDNN ? [.define("SCRIBA_ONEDNN")] : [])

let package = Package(
    name: "Scriba",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "scriba", targets: ["scriba"]),
        .executable(name: "scriba-bench", targets: ["scriba-bench"]),
        .library(name: "ScribaTensor", targets: ["ScribaTensor"]),
        .library(name: "ScribaAudio", targets: ["ScribaAudio"]),
        .library(name: "ScribaModels", targets: ["ScribaModels"]),
        .library(name: "ScribaPipeline", targets: ["ScribaPipeline"]),
        .library(name: "ScribaTranscript", targets: ["ScribaTranscript"]),
        .library(name: "ScribaFormats", targets: ["ScribaFormats"]),
        .library(name: "ScribaHub", targets: ["ScribaHub"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/vapor/multipart-kit", from: "4.7.1"),
        // sha256 of downloaded model files. Range (not `from:`) so the 4.x already pinned through
        // swift-certificates/swift-nio-extras satisfies it without a re-resolve.
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        // The live-caption WebSocket (/v1/realtime) and its tests' client.
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        // NIOWebSocket's close codes, which the WebSocket writer takes.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CBLAS",
            path: "Sources/CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .target(name: "CScribaKernels", cSettings: kernelSettings),
        .target(name: "ScribaTensor", dependencies: tensorDependencies, swiftSettings: tensorSettings),
        .target(name: "ScribaAudio", dependencies: ["ScribaTensor"], swiftSettings: numericSettings),
        // Resources (data, not source; found by ModelResources): the Korean aligner's word list and the
        // Silero VAD weights (MIT, 1.2 MB).
        .target(name: "ScribaModels", dependencies: ["ScribaTensor"],
                exclude: ["Qwen3ForcedAligner/Resources/NOTICE-korean-words.txt", "SileroVAD/Resources/LICENSE-silero-vad.txt",
                          "SileroVAD/Resources/NOTICE-silero-vad.txt"],
                resources: [.copy("Qwen3ForcedAligner/Resources/korean-words.txt"),
                            .copy("SileroVAD/Resources/silero_vad_16k.safetensors")],
                swiftSettings: numericSettings),
        // Transcript and its parts, languages, sentence grouping, subtitle shaping, minutes: Foundation only.
        .target(name: "ScribaTranscript"),
        // Model resolution, Hugging Face / ModelScope caches, pulls with checksums (the one user of swift-crypto).
        .target(name: "ScribaHub", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "ScribaPipeline", dependencies: ["ScribaAudio", "ScribaModels", "ScribaTranscript", "ScribaHub"]),
        // Pure writers: Transcript → String.
        .target(name: "ScribaFormats", dependencies: ["ScribaTranscript"]),
        .target(
            name: "ScribaServer",
            dependencies: [
                "ScribaAudio", "ScribaPipeline", "ScribaFormats",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "MultipartKit", package: "multipart-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
            ]
        ),
        .executableTarget(
            name: "scriba",
            dependencies: [
                "ScribaTensor", "ScribaAudio", "ScribaModels", "ScribaPipeline", "ScribaFormats", "ScribaServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The Qwen3 parity harness (scriba-bench parity, Qwen3ParityTests): Scriba vs the official outputs.
        .target(name: "ScribaParity", dependencies: ["ScribaAudio", "ScribaModels"]),
        .executableTarget(name: "scriba-bench", dependencies: ["ScribaTensor", "ScribaAudio", "ScribaModels", "ScribaPipeline", "ScribaParity"]),
        // Shared by the test targets: a seeded generator and where fixtures, the built scriba and weights are.
        .target(name: "ScribaTestSupport", path: "Tests/ScribaTestSupport"),
        .testTarget(name: "ScribaTensorTests", dependencies: ["ScribaTensor", "ScribaTestSupport"]),
        .testTarget(name: "ScribaAudioTests", dependencies: ["ScribaTestSupport", "ScribaAudio"]),
        .testTarget(name: "ScribaModelsTests", dependencies: ["ScribaTestSupport", "ScribaModels", "ScribaParity"]),
        // Hummingbird: remote-engine retry tests run a local service in-process.
        .testTarget(
            name: "ScribaPipelineTests",
            dependencies: ["ScribaTestSupport", "ScribaPipeline", .product(name: "Hummingbird", package: "hummingbird")]
        ),
        // Runs the built `scriba` binary through Process against an in-process fake service.
        .testTarget(
            name: "ScribaCLITests",
            dependencies: ["ScribaTestSupport", "ScribaPipeline", "ScribaAudio", .product(name: "Hummingbird", package: "hummingbird")]
        ),
        .testTarget(name: "ScribaFormatsTests", dependencies: ["ScribaTestSupport", "ScribaFormats", "ScribaTranscript"]),
        .testTarget(
            name: "ScribaServerTests",
            dependencies: ["ScribaTestSupport", "ScribaServer", .product(name: "HummingbirdTesting", package: "hummingbird"),
                           .product(name: "HummingbirdWSClient", package: "hummingbird-websocket")]
        ),
        // Model download/cache tests run a local hub server in-process (the hub is unreachable here).
        .testTarget(
            name: "ModelHubTests",
            dependencies: ["ScribaTestSupport", "ScribaHub", "ScribaPipeline", .product(name: "Hummingbird", package: "hummingbird")]
        ),
    ]
)

// The C face over oneDNN's matmul, declared only when oneDNN is used (it does not compile without its
// headers). It opens libdnnl at run time (see Sources/CScribaOneDNN), so nothing is linked here.
if oneDNN {
    package.targets.append(.target(name: "CScribaOneDNN"))
}

// libFuzzer targets (Fuzz/, run with scripts/fuzz.sh). Declared only when SCRIBA_FUZZ is set, so a
// normal `swift build` / `swift test` never sees them; their entry point is libFuzzer's, hence
// -parse-as-library and no main.
if Context.environment["SCRIBA_FUZZ"] != nil {
    let fuzzFlags: [SwiftSetting] = [.unsafeFlags(["-parse-as-library"])]
    package.targets.append(.target(name: "FuzzSupport", path: "Fuzz/FuzzSupport"))
    let fuzzTargets: [(String, [Target.Dependency])] = [
        ("FuzzWAV", ["ScribaAudio"]),
        ("FuzzSafeTensors", ["ScribaModels", "FuzzSupport"]),
        ("FuzzCTranslate2", ["ScribaModels", "FuzzSupport"]),
        ("FuzzTokenizerFiles", ["ScribaModels", "FuzzSupport"]),
        ("FuzzBPE", ["ScribaModels", "FuzzSupport"]),
        ("FuzzMultipart", ["ScribaServer", .product(name: "Hummingbird", package: "hummingbird")]),
    ]
    for (name, dependencies) in fuzzTargets {
        package.targets.append(.executableTarget(name: name, dependencies: dependencies, path: "Fuzz/\(name)", swiftSettings: fuzzFlags))
        package.products.append(.executable(name: name, targets: [name]))
    }
}
