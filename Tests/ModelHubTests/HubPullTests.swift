import Foundation
import Testing
@testable import ScribaHub
import ScribaPipeline

@Suite("Pulling from a local hub")
struct HubPullTests {
    @Test func fullPullWritesTheHuggingFaceCacheLayout() async throws {
        let (hub, endpoint) = try await startTinyHub()
        defer { hub.stop() }
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let client = HubClient(environment: hubEnvironment(folder, endpoint: endpoint))
        let repo = try HubRepoID("scriba-test/tiny")
        let files = tinyRepo().files
        let total = files.reduce(0) { $0 + $1.data.count }

        let progress = ProgressLog()
        let result = try await client.pull(repo, progress: { progress.append($0) })

        #expect(result.commit == commitA)
        #expect(result.fileCount == 3)
        #expect(result.downloadedBytes == Int64(total))
        #expect(hub.totalBytesServed == total)
        let repoFolder = folder.appendingPathComponent("hub/models--scriba-test--tiny")
        #expect(try String(contentsOf: repoFolder.appendingPathComponent("refs/main"), encoding: .utf8) == commitA)
        let snapshot = repoFolder.appendingPathComponent("snapshots/\(commitA)")
        #expect(result.snapshot.standardizedFileURL == snapshot.standardizedFileURL)
        // Links are relative, one extra "../" for the nested file, named by etag.
        #expect(symlinkTarget(snapshot.appendingPathComponent("config.json")) == "../../blobs/\(files[0].gitSHA1)")
        #expect(symlinkTarget(snapshot.appendingPathComponent("model.safetensors")) == "../../blobs/\(files[1].sha256)")
        #expect(symlinkTarget(snapshot.appendingPathComponent("tokenizer/vocab.json")) == "../../../blobs/\(files[2].gitSHA1)")
        for file in files {
            #expect(try Data(contentsOf: snapshot.appendingPathComponent(file.path)) == file.data)
        }
        // The last report covers the whole snapshot.
        let last = try #require(progress.entries.last)
        #expect(last.totalBytes == Int64(total) && last.totalSize == Int64(total))
        #expect(last.fileIndex == 3 && last.fileCount == 3)

        // A second pull finds every blob and downloads nothing.
        let again = try await client.pull(repo)
        #expect(again.downloadedBytes == 0)
        #expect(again.reusedFiles == 3)
        #expect(hub.totalBytesServed == total)
    }

    @Test func interruptedPullResumesWithoutRedownloading() async throws {
        let (hub, endpoint) = try await startTinyHub()
        defer { hub.stop() }
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let client = HubClient(environment: hubEnvironment(folder, endpoint: endpoint))
        let repo = try HubRepoID("scriba-test/tiny")
        let weights = tinyRepo().files[1]
        let cut = 300_000
        hub.dropConnection(after: cut, of: weights.path)

        await #expect(throws: ModelHubError.self) { try await client.pull(repo) }
        let partial = client.cache.incompleteURL(repo, blobID: weights.sha256)
        let kept = try #require(ModelCache.fileSize(partial))
        #expect(kept > 0 && kept <= Int64(cut))
        #expect(hub.bytesServed(weights.path) == cut)
        // No ref yet: a partial snapshot is never what resolution picks.
        #expect(client.cache.snapshot(repo) == nil)

        let result = try await client.pull(repo)
        #expect(hub.rangeHeaders == ["model.safetensors bytes=\(kept)-"])
        // Second transfer of the weights = only the missing tail.
        #expect(hub.bytesServed(weights.path) == cut + (weightsSize - Int(kept)))
        // The tail of the weights plus vocab.json, which comes after them (config.json came first).
        #expect(result.downloadedBytes == Int64(weightsSize) - kept + Int64(tinyRepo().files[2].data.count))
        #expect(try Data(contentsOf: result.snapshot.appendingPathComponent(weights.path)) == weights.data)
        #expect(!FileManager.default.fileExists(atPath: partial.path))
    }

    @Test func corruptedFileIsRejectedByItsHash() async throws {
        let (hub, endpoint) = try await startTinyHub()
        defer { hub.stop() }
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let client = HubClient(environment: hubEnvironment(folder, endpoint: endpoint))
        let repo = try HubRepoID("scriba-test/tiny")
        let weights = tinyRepo().files[1]
        hub.corrupt(weights.path)

        do {
            _ = try await client.pull(repo)
            Issue.record("a corrupted download was accepted")
        } catch let error as ModelHubError {
            guard case .hashMismatch(let file, let algorithm, let expected, let found) = error else {
                Issue.record("wrong error \(error)")
                return
            }
            #expect(file == "scriba-test/tiny/model.safetensors")
            #expect(algorithm == "sha256")
            #expect(expected == weights.sha256)
            var flipped = weights.data
            flipped[weightsSize / 2] ^= 0xFF
            #expect(found == FileChecksum.sha256Hex(flipped))
            #expect(error.description.contains("corrupt"))
        }
        #expect(!FileManager.default.fileExists(atPath: client.cache.blobURL(repo, blobID: weights.sha256).path))
        #expect(!FileManager.default.fileExists(atPath: client.cache.incompleteURL(repo, blobID: weights.sha256).path))
        #expect(client.cache.snapshot(repo) == nil)
    }

    @Test func otherRevisionGetsItsOwnRefAndSnapshot() async throws {
        let (hub, endpoint) = try await startTinyHub()
        defer { hub.stop() }
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let environment = hubEnvironment(folder, endpoint: endpoint)
        let client = HubClient(environment: environment)
        let repo = try HubRepoID("scriba-test/tiny")

        let result = try await client.pull(repo, revision: "v2")
        #expect(result.commit == commitB)
        #expect(client.cache.commit(for: repo, revision: "v2") == commitB)
        #expect(client.cache.commit(for: repo, revision: "main") == nil)
        let config = try String(contentsOf: result.snapshot.appendingPathComponent("config.json"), encoding: .utf8)
        #expect(config.contains("\"v\": 2"))

        let resolver = ModelResolver(client: client)
        #expect(try await resolver.resolve("scriba-test/tiny", revision: "v2", pullIfMissing: false).standardizedFileURL
                == result.snapshot.standardizedFileURL)
        await #expect(throws: ModelHubError.notCached(repo: "scriba-test/tiny", revision: "main")) {
            try await resolver.resolve("scriba-test/tiny", pullIfMissing: false)
        }
        // Pulling main then shares the unchanged blobs: only the new config.json crosses the wire.
        let served = hub.totalBytesServed
        let main = try await client.pull(repo)
        #expect(main.reusedFiles == 2)
        #expect(hub.totalBytesServed - served == tinyRepo().files[0].data.count)

        // A commit hash as revision writes no ref.
        let byCommit = try await client.pull(repo, revision: commitB)
        #expect(byCommit.downloadedBytes == 0)
        #expect(!FileManager.default.fileExists(atPath: client.cache.repoFolder(repo).appendingPathComponent("refs/\(commitB)").path))
    }

    @Test func listingWithoutBlobMetadataFallsBackToHeadRequests() async throws {
        let (hub, endpoint) = try await startTinyHub()
        defer { hub.stop() }
        hub.omitBlobMetadata()
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let client = HubClient(environment: hubEnvironment(folder, endpoint: endpoint))
        let listing = try await client.listing(try HubRepoID("scriba-test/tiny"))
        let files = tinyRepo().files
        #expect(listing.files.map(\.path) == ["config.json", "model.safetensors", "tokenizer/vocab.json"])
        #expect(listing.files.map(\.blobID) == [files[0].gitSHA1, files[1].sha256, files[2].gitSHA1])
        #expect(listing.files.map(\.size) == files.map { Int64($0.data.count) })
        #expect(hub.requests.filter { $0.hasPrefix("HEAD") }.count == 3)
    }

    @Test func privateRepoNeedsTheToken() async throws {
        let (hub, endpoint) = try await startTinyHub()
        defer { hub.stop() }
        hub.requireToken("hf_secret")
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let repo = try HubRepoID("scriba-test/tiny")

        let anonymous = HubClient(environment: hubEnvironment(folder, endpoint: endpoint))
        do {
            _ = try await anonymous.pull(repo)
            Issue.record("pulled a private repo without a token")
        } catch let error as ModelHubError {
            guard case .unauthorized(_, _, let status) = error else { Issue.record("wrong error \(error)"); return }
            #expect(status == 401)
            #expect(error.description.contains("HF_TOKEN"))
        }
        let authorized = HubClient(environment: hubEnvironment(folder, endpoint: endpoint, token: "hf_secret"))
        #expect(try await authorized.pull(repo).fileCount == 3)
    }

    @Test func unknownRepoIsNotFound() async throws {
        let (hub, endpoint) = try await startTinyHub()
        defer { hub.stop() }
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let client = HubClient(environment: hubEnvironment(folder, endpoint: endpoint))
        await #expect(throws: ModelHubError.self) { try await client.pull(try HubRepoID("scriba-test/missing")) }
        do {
            _ = try await client.pull(try HubRepoID("scriba-test/missing"))
        } catch let error as ModelHubError {
            guard case .repoNotFound(let repo, let revision, _) = error else { Issue.record("wrong error \(error)"); return }
            #expect(repo == "scriba-test/missing" && revision == "main")
        }
    }

    @Test func modelScopePullUsesMasterAndSha256Blobs() async throws {
        let (hub, endpoint) = try await startTinyHub()
        defer { hub.stop() }
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let client = HubClient(environment: hubEnvironment(folder, endpoint: endpoint))
        let repo = try HubRepoID("scriba-test/tiny")
        let result = try await client.pull(repo, source: .modelScope)
        let files = tinyRepo().files
        #expect(hub.requests.first == "GET /api/v1/models/scriba-test/tiny/repo/files")
        #expect(result.downloadedBytes == Int64(files.reduce(0) { $0 + $1.data.count }))
        // ModelScope lists sha256 for every file, so every blob is named by it.
        for file in files {
            #expect(symlinkTarget(result.snapshot.appendingPathComponent(file.path))?.hasSuffix("blobs/\(file.sha256)") == true)
        }
        #expect(client.cache.commit(for: repo, revision: "main") == result.commit)
        #expect(ModelCache.isCommitHash(result.commit))
    }
}

/// Collects progress reports from the download delegate's queue.
final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var _entries: [PullProgress] = []
    func append(_ entry: PullProgress) { lock.withLock { _entries.append(entry) } }
    var entries: [PullProgress] { lock.withLock { _entries } }
}
