import Foundation
import Testing
@testable import ScribaHub
import ScribaPipeline
import ScribaTestSupport

// Pull-on-first-use as a user meets it: the built `scriba` binary with HF_ENDPOINT pointed at the
// in-process fake hub and HF_HOME at a temporary folder, counting what the hub serves.

/// Runs scriba with only the variables given (plus PATH), so the developer's own cache and hub
/// settings never leak into the test.
private func runScriba(_ arguments: [String], environment: [String: String]) async throws -> ScribaRun {
    try await ScribaRun.run(arguments, environment: environment)
}

/// Caches and Scriba's models folder under `folder`, hub at `endpoint`.
private func cliEnvironment(_ folder: URL, endpoint: String, offline: Bool = false) -> [String: String] {
    var environment = [
        "HOME": folder.path, "HF_HOME": folder.appendingPathComponent("hf").path, "HF_ENDPOINT": endpoint,
        "SCRIBA_MODELS_DIR": folder.appendingPathComponent("scriba-models").path,
        "MODELSCOPE_CACHE": folder.appendingPathComponent("modelscope").path,
    ]
    if offline { environment["HF_HUB_OFFLINE"] = "1" }
    return environment
}

/// The real Whisper base weights (`scripts/fetch-whisper-base`), served as a hub repo.
private enum WhisperBaseWeights {
    static var folder: URL { TestLocations.whisperBase }
    static var installed: Bool { TestLocations.hasWhisperBase }
    static func files() throws -> [FakeHub.File] {
        try ["config.json", "model.bin", "tokenizer.json", "vocabulary.txt"].map { path in
            FakeHub.File(path: path, data: try Data(contentsOf: folder.appendingPathComponent(path)), lfs: path == "model.bin")
        }
    }
}

@Suite("Models pulled on first use (CLI)", .serialized)
struct ModelResolutionCLITests {
    static let clip = fixturesFolder().appendingPathComponent("whisper/librivox-0870.wav").path

    @Test(.enabled(if: WhisperBaseWeights.installed, Comment(rawValue: TestLocations.whisperBaseMissing)))
    func firstUsePullsThenRunsAndSecondUseStaysOffTheNetwork() async throws {
        let files = try WhisperBaseWeights.files()
        let hub = FakeHub()
        hub.add("scriba-test/whisper-base", refs: ["main": commitA], commits: [commitA: files])
        let endpoint = try await hub.start()
        defer { hub.stop() }
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let environment = cliEnvironment(folder, endpoint: endpoint.absoluteString)
        let arguments = ["transcribe", Self.clip, "--engine", "whisper", "--model", "scriba-test/whisper-base", "--language", "en"]
        let expected = "And Mr. John Dashwood had then leisure to consider how much there might be prudently in his power to do for them."

        let first = try await runScriba(arguments, environment: environment)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == expected)
        #expect(first.stderr.contains("scriba-test/whisper-base is not in the model cache: downloading it from \(endpoint.absoluteString)"))
        #expect(first.stderr.contains("[4/4]"), "per-file progress on stderr: \(first.stderr)")
        // Every byte of the four files, each once: 145 217 532 + 2 203 239 + 459 861 + 2 309.
        #expect(hub.totalBytesServed == files.reduce(0) { $0 + $1.data.count })
        #expect(hub.totalBytesServed == 147_882_941)
        let snapshot = folder.appendingPathComponent("hf/hub/models--scriba-test--whisper-base/snapshots/\(commitA)")
        #expect(FileManager.default.fileExists(atPath: snapshot.appendingPathComponent("model.bin").path))
        let requestsAfterFirst = hub.requests.count
        #expect(requestsAfterFirst == 5, "one listing + four files: \(hub.requests)")

        let second = try await runScriba(arguments, environment: environment)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout == first.stdout)
        #expect(!second.stderr.contains("downloading"))
        #expect(hub.requests.count == requestsAfterFirst)
    }

    @Test func offlineAndMissingNamesThePullCommand() async throws {
        let (hub, endpoint) = try await startTinyHub()
        defer { hub.stop() }
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let base = ["transcribe", Self.clip, "--engine", "whisper", "--model", "scriba-test/tiny"]
        for (arguments, offlineVariable) in [(base, true), (base + ["--offline"], false)] {
            let run = try await runScriba(arguments, environment: cliEnvironment(folder, endpoint: endpoint.absoluteString, offline: offlineVariable))
            #expect(run.status != 0)
            #expect(run.stderr.contains("scriba-test/tiny (revision main) is not in the model cache and offline mode is on"))
            #expect(run.stderr.contains("`scriba models pull scriba-test/tiny`"))
            #expect(run.stdout.isEmpty)
        }
        #expect(hub.requests.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("hf/hub/models--scriba-test--tiny").path))
    }

    @Test func unreachableHubNamesEndpointAndPullCommand() async throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // Port 9 (discard) has no listener here: the connection is refused at once.
        let run = try await runScriba(["transcribe", Self.clip, "--engine", "whisper"],
                                      environment: cliEnvironment(folder, endpoint: "http://127.0.0.1:9"))
        #expect(run.status != 0)
        // whisper-base is pulled under the repo it is a copy of.
        #expect(run.stderr.contains("Systran/faster-whisper-base (revision main) is not in the model cache and downloading it from http://127.0.0.1:9 failed"))
        #expect(run.stderr.contains("HF_ENDPOINT"))
        #expect(run.stderr.contains("`scriba models pull Systran/faster-whisper-base`"))
    }
}
