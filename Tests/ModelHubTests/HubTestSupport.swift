import Foundation
@testable import ScribaHub
import ScribaPipeline
import ScribaTestSupport

/// A fresh temporary folder per test (removed by the caller's `defer`).
func makeTemporaryFolder() throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scriba-hub-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder
}

/// Environment pointing every cache under `folder` and both hubs at `endpoint`.
func hubEnvironment(_ folder: URL, endpoint: URL?, offline: Bool = false, token: String? = nil) -> HubEnvironment {
    HubEnvironment(
        hubCache: folder.appendingPathComponent("hub"),
        endpoint: endpoint ?? URL(string: "http://127.0.0.1:9")!, token: token, offline: offline,
        modelScopeEndpoint: endpoint ?? URL(string: "http://127.0.0.1:9")!,
        modelScopeCache: folder.appendingPathComponent("modelscope"),
        scribaModels: folder.appendingPathComponent("scriba-models"))
}

/// Deterministic pseudo-random bytes (an LCG), so sizes and hashes are reproducible.
func pseudoRandomBytes(_ count: Int, seed: UInt64) -> Data {
    var state = seed
    var bytes = [UInt8](repeating: 0, count: count)
    for index in 0..<count {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        bytes[index] = UInt8(truncatingIfNeeded: state >> 33)
    }
    return Data(bytes)
}

let commitA = String(repeating: "a1", count: 20)
let commitB = String(repeating: "b2", count: 20)
/// 1 MiB of weights: large enough that a transfer arrives in many chunks and can be cut mid-file.
let weightsSize = 1 << 20

/// `scriba-test/tiny`: main → commitA (3 files, one LFS, one nested), v2 → commitB (new config).
func tinyRepo() -> (files: [FakeHub.File], v2: [FakeHub.File]) {
    let weights = FakeHub.File(path: "model.safetensors", data: pseudoRandomBytes(weightsSize, seed: 7), lfs: true)
    let vocab = FakeHub.File(path: "tokenizer/vocab.json", data: Data(#"{"a": 0, "b": 1}"#.utf8), lfs: false)
    let config = FakeHub.File(path: "config.json", data: Data(#"{"model_type": "qwen3_asr", "v": 1}"#.utf8), lfs: false)
    let config2 = FakeHub.File(path: "config.json", data: Data(#"{"model_type": "qwen3_asr", "v": 2}"#.utf8), lfs: false)
    return ([config, weights, vocab], [config2, weights, vocab])
}

func startTinyHub() async throws -> (FakeHub, URL) {
    let hub = FakeHub()
    let repo = tinyRepo()
    hub.add("scriba-test/tiny", refs: ["main": commitA, "master": commitA, "v2": commitB],
            commits: [commitA: repo.files, commitB: repo.v2])
    return (hub, try await hub.start())
}

func fixturesFolder() -> URL {
    TestLocations.fixtures
}

func symlinkTarget(_ url: URL) -> String? {
    try? FileManager.default.destinationOfSymbolicLink(atPath: url.path)
}
