import Foundation
import Testing
@testable import ScribaHub
import ScribaPipeline

@Suite("Hub environment, names and checksums")
struct HubBasicsTests {
    @Test func cacheFolderFollowsHuggingFacePrecedence() {
        let base = ["HOME": "/home/u"]
        #expect(HubEnvironment(environment: base).hubCache.path == "/home/u/.cache/huggingface/hub")
        #expect(HubEnvironment(environment: base.merging(["XDG_CACHE_HOME": "/x"]) { $1 }).hubCache.path == "/x/huggingface/hub")
        #expect(HubEnvironment(environment: base.merging(["HF_HOME": "/hf", "XDG_CACHE_HOME": "/x"]) { $1 }).hubCache.path == "/hf/hub")
        #expect(HubEnvironment(environment: base.merging(["HF_HUB_CACHE": "~/c", "HF_HOME": "/hf"]) { $1 }).hubCache.path == "/home/u/c")
        #expect(HubEnvironment(environment: base).scribaModels.path == "/home/u/.cache/scriba/models")
        #expect(HubEnvironment(environment: base.merging(["SCRIBA_MODELS_DIR": "/m"]) { $1 }).scribaModels.path == "/m")
    }

    @Test func endpointTokenAndOfflineFlags() {
        let home = ["HOME": "/nonexistent-home"]
        let plain = HubEnvironment(environment: home)
        #expect(plain.endpoint.absoluteString == "https://huggingface.co")
        #expect(plain.modelScopeEndpoint.absoluteString == "https://www.modelscope.cn")
        #expect(plain.token == nil && !plain.offline)
        let custom = HubEnvironment(environment: home.merging([
            "HF_ENDPOINT": "https://hf-mirror.com/", "HF_TOKEN": "hf_x", "HF_HUB_OFFLINE": "true",
            "MODELSCOPE_DOMAIN": "modelscope.example",
        ]) { $1 })
        #expect(custom.endpoint.absoluteString == "https://hf-mirror.com")
        #expect(custom.modelScopeEndpoint.absoluteString == "https://modelscope.example")
        #expect(custom.token == "hf_x" && custom.offline)
        #expect(!HubEnvironment(environment: home.merging(["HF_HUB_OFFLINE": "0"]) { $1 }).offline)
        #expect(HubEnvironment(environment: home.merging(["TRANSFORMERS_OFFLINE": "1"]) { $1 }).offline)
    }

    @Test func tokenFileIsReadWhenHFTokenIsUnset() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("hf_from_file\n".utf8).write(to: folder.appendingPathComponent("token"))
        #expect(HubEnvironment(environment: ["HOME": "/h", "HF_HOME": folder.path]).token == "hf_from_file")
    }

    @Test func repoIDsAndCacheFolderNames() throws {
        let repo = try HubRepoID("Qwen/Qwen3-ASR-1.7B")
        #expect(repo.cacheFolderName == "models--Qwen--Qwen3-ASR-1.7B")
        #expect(HubRepoID(cacheFolderName: "models--Qwen--Qwen3-ASR-1.7B") == repo)
        #expect(HubRepoID(cacheFolderName: "datasets--a--b") == nil)
        for bad in ["Qwen", "a/b/c", "/abs", "a/..", "a/b c", ""] {
            #expect(throws: ModelHubError.invalidRepoID(bad)) { try HubRepoID(bad) }
        }
    }

    @Test func checksumsMatchKnownValues() throws {
        // FIPS 180-2 test vector and `printf 'hello\n' | git hash-object --stdin`.
        #expect(FileChecksum.sha256Hex(Data("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(FileChecksum.gitBlobSHA1Hex(Data("hello\n".utf8)) == "ce013625030ba8dba906f756967f9e9ca394464a")
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("f")
        try Data("hello\n".utf8).write(to: file)
        #expect(try FileChecksum.gitBlobSHA1("x").hash(of: file, size: 6) == "ce013625030ba8dba906f756967f9e9ca394464a")
    }

    @Test func urlLayoutsOfBothHubs() throws {
        let folder = URL(fileURLWithPath: "/tmp")
        let environment = hubEnvironment(folder, endpoint: URL(string: "https://hub.example")!)
        let repo = try HubRepoID("Qwen/Qwen3-ASR-1.7B")
        #expect(ModelSource.huggingFace.listingURL(repo, revision: "refs/pr/1", environment: environment).absoluteString
                == "https://hub.example/api/models/Qwen/Qwen3-ASR-1.7B/revision/refs%2Fpr%2F1?blobs=true")
        #expect(ModelSource.huggingFace.fileURL(repo, revision: "main", path: "sub dir/a.json", environment: environment).absoluteString
                == "https://hub.example/Qwen/Qwen3-ASR-1.7B/resolve/main/sub%20dir/a.json")
        #expect(ModelSource.modelScope.listingURL(repo, revision: "main", environment: environment).absoluteString
                == "https://hub.example/api/v1/models/Qwen/Qwen3-ASR-1.7B/repo/files?Revision=master&Recursive=true")
        #expect(ModelSource.modelScope.fileURL(repo, revision: "main", path: "a/b.json", environment: environment).absoluteString
                == "https://hub.example/api/v1/models/Qwen/Qwen3-ASR-1.7B/repo?Revision=master&FilePath=a%2Fb.json")
    }

    @Test func listingWithEscapingPathIsRejected() throws {
        let json = #"{"sha": "\#(commitA)", "siblings": [{"rfilename": "../../evil", "size": 1, "blobId": "x"}]}"#
        let url = URL(string: "http://h/api")!
        #expect(throws: ModelHubError.badListing(url: "http://h/api", reason: "unsafe file path '../../evil'")) {
            try RepoListing.parseHuggingFace(Data(json.utf8), repo: try HubRepoID("a/b"), revision: "main",
                                             listingURL: url, environment: hubEnvironment(URL(fileURLWithPath: "/tmp"), endpoint: nil))
        }
    }

    @Test func knownModelsMapToEngines() {
        #expect(KnownModels.engine(for: "Qwen/Qwen3-ASR-1.7B") == .qwen3ASR)
        #expect(KnownModels.engine(for: "Qwen/Qwen3-ForcedAligner-0.6B") == .qwen3Aligner)
        #expect(KnownModels.engine(for: "openai/whisper-large-v3") == .whisper)
        #expect(KnownModels.engine(for: "openai/whisper-base.en") == .whisper)
        #expect(KnownModels.engine(for: "Systran/faster-whisper-small") == .whisperCTranslate2)
        #expect(KnownModels.engine(for: "whisper-base") == .whisperCTranslate2)
        #expect(KnownModels.engine(for: "bert-base/uncased") == nil)
    }
}
