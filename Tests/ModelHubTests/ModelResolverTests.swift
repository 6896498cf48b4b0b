import Foundation
import Synchronization
import Testing
@testable import ScribaHub
import ScribaPipeline

@Suite("Resolving model names")
struct ModelResolverTests {
    /// The tree huggingface_hub 0.36.2 wrote (scripts/fixtures/make_hf_cache_fixture.py).
    static let pythonCommit = "c5b577b002ec03c526f10ae8e650a0a33e098821"

    @Test func cacheWrittenByPythonIsFoundOffline() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var environment = hubEnvironment(folder, endpoint: nil, offline: true)
        environment.hubCache = fixturesFolder().appendingPathComponent("hub/python-cache")
        let resolver = ModelResolver(environment: environment)

        let snapshot = try #require(try resolver.localLocation("scriba-test/tiny-asr"))
        #expect(snapshot.lastPathComponent == Self.pythonCommit)
        let config = try String(contentsOf: snapshot.appendingPathComponent("config.json"), encoding: .utf8)
        #expect(config.contains("\"model_type\": \"qwen3_asr\""))
        // 4096 bytes = bytes(range(256)) * 16 in the script, read through the nested-free link.
        let weights = try Data(contentsOf: snapshot.appendingPathComponent("model.safetensors"))
        #expect(weights.count == 4096 && weights[300] == 44)
        #expect(try String(contentsOf: snapshot.appendingPathComponent("tokenizer/vocab.json"), encoding: .utf8)
                == "{\"hello\": 0, \"world\": 1}\n")
        #expect(KnownModels.detectEngine(in: snapshot) == .qwen3ASR)

        let listed = try #require(ModelCache(root: environment.hubCache).cachedModels().first)
        #expect(listed.repo.description == "scriba-test/tiny-asr")
        // 76 + 4096 + 25 bytes of blobs (see Tests/Fixtures/README.md).
        #expect(listed.sizeBytes == 4197)
        #expect(listed.refs == ["main": Self.pythonCommit])
        #expect(listed.snapshots == [Self.pythonCommit])
    }

    @Test func pullIntoPythonCacheReusesItsBlobs() async throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let cacheCopy = folder.appendingPathComponent("hub")
        try FileManager.default.copyItem(at: fixturesFolder().appendingPathComponent("hub/python-cache"), to: cacheCopy)
        let snapshot = cacheCopy.appendingPathComponent("models--scriba-test--tiny-asr/snapshots/\(Self.pythonCommit)")
        let files = try ["config.json", "model.safetensors", "tokenizer/vocab.json"].map { path in
            FakeHub.File(path: path, data: try Data(contentsOf: snapshot.appendingPathComponent(path)),
                         lfs: path == "model.safetensors")
        }
        let hub = FakeHub()
        hub.add("scriba-test/tiny-asr", refs: ["main": Self.pythonCommit], commits: [Self.pythonCommit: files])
        let endpoint = try await hub.start()
        defer { hub.stop() }

        let result = try await HubClient(environment: hubEnvironment(folder, endpoint: endpoint))
            .pull(try HubRepoID("scriba-test/tiny-asr"))
        // Same etags as huggingface_hub chose for blob names, so nothing is fetched.
        #expect(result.reusedFiles == 3)
        #expect(result.downloadedBytes == 0)
        #expect(hub.totalBytesServed == 0)
    }

    @Test func offlineModeUsesTheCacheAndNamesThePullCommand() async throws {
        let (hub, endpoint) = try await startTinyHub()
        defer { hub.stop() }
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let online = ModelResolver(environment: hubEnvironment(folder, endpoint: endpoint))
        let pulled = try await online.resolve("scriba-test/tiny", pullIfMissing: true)
        let requestsAfterPull = hub.requests.count

        let offline = ModelResolver(environment: hubEnvironment(folder, endpoint: endpoint, offline: true))
        #expect(try await offline.resolve("scriba-test/tiny", pullIfMissing: true) == pulled)
        do {
            _ = try await offline.resolve("scriba-test/other", pullIfMissing: true)
            Issue.record("resolved a missing model offline")
        } catch let error as ModelHubError {
            #expect(error == .offlineAndNotCached(repo: "scriba-test/other", revision: "main"))
            #expect(error.description.contains("scriba models pull scriba-test/other"))
        }
        await #expect(throws: ModelHubError.offline(repo: "scriba-test/tiny")) {
            try await offline.client.pull(try HubRepoID("scriba-test/tiny"))
        }
        #expect(hub.requests.count == requestsAfterPull)
    }

    @Test func folderPathsAndScribaNamesResolveLocally() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let resolver = ModelResolver(environment: hubEnvironment(folder, endpoint: nil, offline: true))
        let whisper = folder.appendingPathComponent("scriba-models/whisper-base")
        try FileManager.default.createDirectory(at: whisper, withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: whisper.appendingPathComponent("config.json"))
        try Data().write(to: whisper.appendingPathComponent("model.bin"))

        #expect(try resolver.localLocation(whisper.path)?.path == whisper.path)
        #expect(try resolver.localLocation("whisper-base")?.path == whisper.path)
        // The PyPI whisper-base holds Systran/faster-whisper-base's files, so that name finds it too.
        #expect(try resolver.localLocation("Systran/faster-whisper-base")?.path == whisper.path)
        #expect(KnownModels.detectEngine(in: whisper) == .whisperCTranslate2)

        #expect(throws: ModelHubError.folderNotFound(path: folder.path + "/nope")) {
            try resolver.localLocation(folder.path + "/nope")
        }
        #expect(throws: ModelHubError.invalidRepoID("tiny")) { try resolver.localLocation("tiny") }
        #expect(throws: ModelHubError.invalidRepoID("a/b c")) { try resolver.localLocation("a/b c") }
        #expect(try resolver.localLocation("Qwen/Qwen3-ASR-1.7B") == nil)
    }

    @Test func modelScopeCacheIsSearched() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let resolver = ModelResolver(environment: hubEnvironment(folder, endpoint: nil, offline: true))
        let model = folder.appendingPathComponent("modelscope/models/Qwen/Qwen3-ASR-0.6B")
        try FileManager.default.createDirectory(at: model, withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: model.appendingPathComponent("config.json"))
        #expect(try resolver.localLocation("Qwen/Qwen3-ASR-0.6B")?.path == model.path)
    }

    @Test func defaultRecognizerPrefersQwenThenFallsBackToWhisperBase() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let resolver = ModelResolver(environment: hubEnvironment(folder, endpoint: nil, offline: true))
        let fallback = KnownModels.defaultRecognizerModel(resolver: resolver)
        #expect(fallback.name == "whisper-base")
        #expect(fallback.engine == .whisperCTranslate2)
        #expect(fallback.notice?.contains("scriba models pull Qwen/Qwen3-ASR-1.7B") == true)

        // Put Qwen3-ASR-0.6B in the cache the way a pull does.
        let cache = ModelCache(root: folder.appendingPathComponent("hub"))
        let repo = try HubRepoID("Qwen/Qwen3-ASR-0.6B")
        let blob = cache.blobURL(repo, blobID: "0123")
        try FileManager.default.createDirectory(at: blob.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: blob)
        try cache.link(repo, commit: commitA, path: "config.json", blobID: "0123")
        try cache.writeRef(repo, revision: "main", commit: commitA)
        let preferred = KnownModels.defaultRecognizerModel(resolver: resolver)
        #expect(preferred == DefaultModelChoice(name: "Qwen/Qwen3-ASR-0.6B", engine: .qwen3ASR, notice: nil))

        #expect(try cache.remove(repo) == 2)
        #expect(KnownModels.defaultRecognizerModel(resolver: resolver).name == "whisper-base")
        #expect(throws: ModelHubError.nothingToRemove(name: "Qwen/Qwen3-ASR-0.6B")) { try cache.remove(repo) }
    }

    @Test func scribaNameIsPulledOnFirstUseUnderItsRepo() async throws {
        let hub = FakeHub()
        let files = tinyRepo().files
        hub.add("Systran/faster-whisper-base", refs: ["main": commitA], commits: [commitA: files])
        let endpoint = try await hub.start()
        defer { hub.stop() }
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let resolver = ModelResolver(environment: hubEnvironment(folder, endpoint: endpoint))
        #expect(try resolver.localLocation("whisper-base") == nil)

        let updates = Mutex<[PullProgress]>([])
        let pulled = try await resolver.resolve("whisper-base", pullIfMissing: true) { update in
            updates.withLock { $0.append(update) }
        }
        #expect(pulled.path.hasSuffix("hub/models--Systran--faster-whisper-base/snapshots/\(commitA)"))
        #expect(hub.totalBytesServed == files.reduce(0) { $0 + $1.data.count })
        let last = try #require(updates.withLock { $0.last })
        #expect(last.fileIndex == 3 && last.fileCount == 3 && last.totalBytes == last.totalSize)
        #expect(last.totalSize == Int64(files.reduce(0) { $0 + $1.data.count }))
        let requests = hub.requests.count

        // Second use, online or offline: the cache answers and the hub hears nothing.
        #expect(try await resolver.resolve("whisper-base", pullIfMissing: true) == pulled)
        let offline = ModelResolver(environment: hubEnvironment(folder, endpoint: endpoint, offline: true))
        #expect(try await offline.resolve("Systran/faster-whisper-base", pullIfMissing: true) == pulled)
        #expect(hub.requests.count == requests)
    }

    @Test func unreachableHubOnFirstUseNamesEndpointAndPullCommand() async throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // No endpoint: hubEnvironment points at 127.0.0.1:9, where nothing listens.
        let resolver = ModelResolver(environment: hubEnvironment(folder, endpoint: nil))
        do {
            _ = try await resolver.resolve("scriba-test/tiny", revision: "v2", pullIfMissing: true)
            Issue.record("resolved through an unreachable hub")
        } catch let error as ModelHubError {
            guard case .hubUnreachable(let repo, let revision, let endpoint, _) = error else {
                Issue.record("wrong error: \(error)")
                return
            }
            #expect(repo == "scriba-test/tiny" && revision == "v2" && endpoint == "http://127.0.0.1:9")
            #expect(error.description.contains("HF_ENDPOINT"))
            #expect(error.description.contains("`scriba models pull scriba-test/tiny --revision v2`"))
        }
        #expect(ModelCache(root: folder.appendingPathComponent("hub")).cachedModels().allSatisfy { $0.refs.isEmpty })
    }
}
