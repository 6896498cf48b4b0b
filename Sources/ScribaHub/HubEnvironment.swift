import Foundation

/// Where models live and how to reach the hubs, read from the same environment variables as
/// huggingface_hub 0.36 (`constants.py`) and modelscope, so Scriba and the Python tools share one cache.
/// Built from a dictionary so tests can point it at a temporary folder and a local server.
public struct HubEnvironment: Sendable {
    /// `.../huggingface/hub`: holds `models--ORG--NAME/{blobs,snapshots,refs}`.
    public var hubCache: URL
    /// `HF_ENDPOINT` (a mirror such as https://hf-mirror.com works too).
    public var endpoint: URL
    public var token: String?
    /// `HF_HUB_OFFLINE`: never touch the network; only the cache is used.
    public var offline: Bool
    public var modelScopeEndpoint: URL
    public var modelScopeToken: String?
    /// modelscope's own cache (`MODELSCOPE_CACHE`), searched when resolving so its downloads are found.
    public var modelScopeCache: URL
    /// Scriba's folder of ready-made models (`scripts/fetch-whisper-base` installs `whisper-base` here).
    public var scribaModels: URL

    public static let defaultEndpoint = "https://huggingface.co"
    public static let defaultModelScopeEndpoint = "https://www.modelscope.cn"

    public init(
        hubCache: URL, endpoint: URL, token: String? = nil, offline: Bool = false,
        modelScopeEndpoint: URL, modelScopeToken: String? = nil, modelScopeCache: URL, scribaModels: URL
    ) {
        self.hubCache = hubCache
        self.endpoint = endpoint
        self.token = token
        self.offline = offline
        self.modelScopeEndpoint = modelScopeEndpoint
        self.modelScopeToken = modelScopeToken
        self.modelScopeCache = modelScopeCache
        self.scribaModels = scribaModels
    }

    /// Precedence as in huggingface_hub: HF_HUB_CACHE > HUGGINGFACE_HUB_CACHE > HF_HOME/hub >
    /// XDG_CACHE_HOME/huggingface/hub > ~/.cache/huggingface/hub.
    public init(environment env: [String: String] = ProcessInfo.processInfo.environment) {
        func value(_ key: String) -> String? {
            guard let text = env[key]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
            return text
        }
        let home = value("HOME") ?? NSHomeDirectory()
        func folder(_ path: String) -> URL {
            let expanded = path.hasPrefix("~") ? home + path.dropFirst() : path
            return URL(fileURLWithPath: expanded, isDirectory: true)
        }
        let cacheHome = value("XDG_CACHE_HOME") ?? home + "/.cache"
        let hfHome = value("HF_HOME") ?? cacheHome + "/huggingface"
        hubCache = folder(value("HF_HUB_CACHE") ?? value("HUGGINGFACE_HUB_CACHE") ?? hfHome + "/hub")

        endpoint = Self.url(value("HF_ENDPOINT") ?? Self.defaultEndpoint)
        // HF_TOKEN wins; otherwise the token file `huggingface-cli login` writes.
        if let token = value("HF_TOKEN") ?? value("HUGGING_FACE_HUB_TOKEN") {
            self.token = token
        } else {
            let tokenFile = value("HF_TOKEN_PATH") ?? hfHome + "/token"
            let stored = (try? String(contentsOf: folder(tokenFile), encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines)
            token = (stored?.isEmpty ?? true) ? nil : stored
        }
        let truthy: Set<String> = ["1", "ON", "YES", "TRUE"]
        offline = [value("HF_HUB_OFFLINE"), value("TRANSFORMERS_OFFLINE")]
            .contains { $0.map { truthy.contains($0.uppercased()) } ?? false }

        // modelscope reads a bare domain (MODELSCOPE_DOMAIN=www.modelscope.cn) and prefixes https.
        let domain = value("MODELSCOPE_DOMAIN") ?? Self.defaultModelScopeEndpoint
        modelScopeEndpoint = Self.url(domain.contains("://") ? domain : "https://" + domain)
        modelScopeToken = value("MODELSCOPE_API_TOKEN")
        modelScopeCache = folder(value("MODELSCOPE_CACHE") ?? cacheHome + "/modelscope/hub")
        // Same default as scripts/fetch-whisper-base (HOME, not XDG_CACHE_HOME).
        scribaModels = folder(value("SCRIBA_MODELS_DIR") ?? home + "/.cache/scriba/models")
    }

    private static func url(_ text: String) -> URL {
        var trimmed = text
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        return URL(string: trimmed) ?? URL(string: defaultEndpoint)!
    }
}
