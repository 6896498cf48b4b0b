import Foundation

/// Turns what the user typed after `--model` into a model folder: a folder path, a Scriba model
/// name (`whisper-base`), or a hub repo id looked up in the Hugging Face cache (also modelscope's
/// cache), downloaded on first use unless offline. Used by every command and the server.
public struct ModelResolver: Sendable {
    public let client: HubClient
    public var environment: HubEnvironment { client.environment }

    public init(environment: HubEnvironment = HubEnvironment()) {
        self.client = HubClient(environment: environment)
    }

    public init(client: HubClient) {
        self.client = client
    }

    /// The model folder for `nameOrPath`; pulls a missing repo when `pullIfMissing` and not offline.
    public func resolve(
        _ nameOrPath: String, revision: String = "main", pullIfMissing: Bool,
        source: ModelSource = .huggingFace, progress: (@Sendable (PullProgress) -> Void)? = nil
    ) async throws -> URL {
        if let found = try localLocation(nameOrPath, revision: revision) { return found }
        let repo = try downloadableRepo(nameOrPath)
        if environment.offline {
            throw ModelHubError.offlineAndNotCached(repo: repo.description, revision: revision)
        }
        guard pullIfMissing else { throw ModelHubError.notCached(repo: repo.description, revision: revision) }
        do {
            return try await client.pull(repo, revision: revision, source: source, progress: progress).snapshot
        } catch let error as ModelHubError {
            // The user ran a transcription, not a pull: say which hub failed and how to pull by hand.
            let endpoint = source == .modelScope ? environment.modelScopeEndpoint : environment.endpoint
            switch error {
            case .network(let url, let message):
                throw ModelHubError.hubUnreachable(repo: repo.description, revision: revision,
                                                   endpoint: endpoint.absoluteString, message: "\(message) (\(url))")
            case .httpStatus(let url, let status) where status >= 500:
                throw ModelHubError.hubUnreachable(repo: repo.description, revision: revision,
                                                   endpoint: endpoint.absoluteString, message: "HTTP \(status) from \(url)")
            default:
                throw error
            }
        }
    }

    /// The name a pull would fetch: `whisper-base` is pulled as Systran/faster-whisper-base.
    public func repoToPull(_ name: String) throws -> HubRepoID {
        try downloadableRepo(name)
    }

    /// The folder already on this machine, or nil. Never touches the network.
    /// Throws for a path that does not exist and for a name that is neither a folder nor a repo id.
    public func localLocation(_ nameOrPath: String, revision: String = "main") throws -> URL? {
        let fileManager = FileManager.default
        let expanded = Self.expandTilde(nameOrPath)
        var isDirectory: ObjCBool = false
        if fileManager.fileExists(atPath: expanded, isDirectory: &isDirectory), isDirectory.boolValue {
            return URL(fileURLWithPath: expanded, isDirectory: true).standardizedFileURL
        }
        if Self.looksLikePath(nameOrPath) { throw ModelHubError.folderNotFound(path: expanded) }

        for name in [nameOrPath] + (KnownModels.sameFiles[nameOrPath].map { [$0] } ?? []) {
            if let found = cachedLocation(name, revision: revision) { return found }
        }
        if !nameOrPath.contains("/") && KnownModels.sameFiles[nameOrPath] == nil {
            throw ModelHubError.invalidRepoID(nameOrPath)
        }
        // Scriba names (whisper-base) are pulled under their repo's name; anything else must parse.
        if KnownModels.sameFiles[nameOrPath] == nil { _ = try HubRepoID(nameOrPath) }
        return nil
    }

    /// One name looked up in Scriba's models folder, the hub cache, then modelscope's cache.
    private func cachedLocation(_ name: String, revision: String) -> URL? {
        guard let repo = try? HubRepoID(name) else {
            let local = environment.scribaModels.appendingPathComponent(name, isDirectory: true)
            return Self.hasConfig(local) ? local : nil
        }
        if let snapshot = client.cache.snapshot(repo, revision: revision), Self.hasConfig(snapshot) {
            return snapshot
        }
        // modelscope ≥1.20 writes models/ORG/NAME, older versions ORG/NAME; it keeps no revisions.
        guard revision == "main" || revision == "master" else { return nil }
        let modelScope = environment.modelScopeCache
        for folder in [modelScope.appendingPathComponent("models/\(repo)"), modelScope.appendingPathComponent(repo.description)]
        where Self.hasConfig(folder) {
            return folder
        }
        return nil
    }

    /// The repo a pull would fetch for this name (`whisper-base` comes from Systran/faster-whisper-base).
    private func downloadableRepo(_ name: String) throws -> HubRepoID {
        if let repo = try? HubRepoID(name) { return repo }
        if let other = KnownModels.sameFiles[name] { return try HubRepoID(other) }
        throw ModelHubError.invalidRepoID(name)
    }

    /// Every supported layout has a config.json; a folder without one is not a usable model.
    private static func hasConfig(_ folder: URL) -> Bool {
        FileManager.default.fileExists(atPath: folder.appendingPathComponent("config.json").path)
    }

    static func looksLikePath(_ text: String) -> Bool {
        text.hasPrefix("/") || text.hasPrefix("./") || text.hasPrefix("../") || text.hasPrefix("~") || text == "." || text == ".."
            || text.split(separator: "/").count > 2
    }

    private static func expandTilde(_ text: String) -> String {
        guard text.hasPrefix("~") else { return text }
        return NSHomeDirectory() + text.dropFirst()
    }
}
