import Foundation
import ScribaModels
import ScribaTensor

// Engines from a choice of kind and models, for every front end alike: the CLI's flags, `scriba
// serve` and library users build their recogniser and aligner here. Model names are resolved through
// ScribaHub first (`resolvingModels`, the one step that may download); `makeEngines` then only reads
// local folders.

/// Which engines to build and from what.
public struct EngineChoice: Sendable, Hashable {
    public enum Kind: String, Sendable, CaseIterable {
        /// OpenAI Whisper (CTranslate2 or Hugging Face folder); word times from its cross-attention.
        case whisper
        /// Qwen3-ASR, with Qwen3-ForcedAligner for word times when one is named or cached.
        case qwen3
        /// Scriba's own services (`scriba serve`) over HTTP.
        case remote
    }

    /// nil: Qwen3 when Qwen3-ASR is cached, else Whisper base (see `EngineFactory.resolvedKind`).
    public var kind: Kind?
    /// ASR model folder or name (local engines).
    public var model: String?
    /// Forced-aligner folder or name (Qwen3).
    public var alignerModel: String?
    /// How Qwen3 weights are held; nil: the checkpoint's dtype.
    public var precision: WeightPrecision?
    public var encoderAttention: Qwen3EncoderAttention
    public var asrURL: String
    /// The aligner service for `.remote`; nil: word times come from the ASR service.
    public var alignURL: String?
    public var retry: RetryPolicy
    /// Seconds to wait for one answer of a remote service.
    public var remoteTimeout: Double
    /// Never download (as HF_HUB_OFFLINE=1).
    public var offline: Bool

    public init(kind: Kind? = nil, model: String? = nil, alignerModel: String? = nil, precision: WeightPrecision? = nil,
                encoderAttention: Qwen3EncoderAttention = .windowed, asrURL: String = EngineChoice.defaultASRURL,
                alignURL: String? = nil, retry: RetryPolicy = .init(), remoteTimeout: Double = EngineChoice.defaultRemoteTimeout,
                offline: Bool = false) {
        self.remoteTimeout = remoteTimeout
        self.kind = kind
        self.model = model
        self.alignerModel = alignerModel
        self.precision = precision
        self.encoderAttention = encoderAttention
        self.asrURL = asrURL
        self.alignURL = alignURL
        self.retry = retry
        self.offline = offline
    }

    public static let defaultASRURL = "http://127.0.0.1:7861"
    /// 10 minutes: a long chunk on a busy CPU server with a queue in front of it.
    public static let defaultRemoteTimeout = 600.0

    /// The longest chunk (seconds) an engine of `kind` takes in one call, the bound of
    /// `--max-chunk-seconds`: Whisper's 30 s window; for Qwen3 the aligner's limit (the recogniser
    /// takes up to 1200 s); a remote service chunks long uploads itself, up to Qwen3's limit.
    public static func chunkLimit(_ kind: Kind) -> Double {
        switch kind {
        case .whisper: WhisperRecognizer.windowSeconds
        case .qwen3: min(Qwen3Recognizer.defaultMaxChunkDuration, Qwen3Aligner.defaultMaxChunkDuration)
        case .remote: Qwen3Recognizer.defaultMaxChunkDuration
        }
    }
}

public enum EngineFactory {
    /// Chunk length for Qwen3-ASR: well inside the aligner's 180 s and small enough that the 1.7B
    /// model's KV cache stays near 100 MB (it takes ~230 kB per position, 13 positions per second).
    public static let qwen3ChunkSeconds = 30.0

    /// The engine to run: the one chosen, else Qwen3 when Qwen3-ASR is cached, else Whisper base
    /// (`notice` gets the one line saying so). An explicit model without a kind picks Whisper, the
    /// engine that reads most folder layouts.
    public static func resolvedKind(_ choice: EngineChoice, notice: (String) -> Void) -> EngineChoice.Kind {
        if let kind = choice.kind { return kind }
        if choice.model != nil { return .whisper }
        let preferred = KnownModels.defaultRecognizerModel(resolver: ModelResolver())
        if let message = preferred.notice { notice(message) }
        return preferred.engine == .qwen3ASR ? .qwen3 : .whisper
    }

    /// `choice` with its kind fixed and every model name replaced by a local folder, pulling missing
    /// repos now unless offline (`notice` before a download, `progress` during it).
    public static func resolvingModels(_ choice: EngineChoice, notice: (String) -> Void,
                                       progress: @escaping @Sendable (PullProgress) -> Void) async throws -> EngineChoice {
        var resolved = choice
        let kind = resolvedKind(choice, notice: notice)
        resolved.kind = kind
        switch kind {
        case .remote:
            // The services decide the models; an aligner named here runs locally.
            if let aligner = choice.alignerModel {
                resolved.alignerModel = try await resolveModel(aligner, offline: choice.offline, notice: notice, progress: progress).path
            }
        case .whisper:
            resolved.model = try await resolveModel(choice.model ?? KnownModels.whisperBase, offline: choice.offline,
                                                    notice: notice, progress: progress).path
        case .qwen3:
            let cached = try choice.model == nil ? cachedRecognizer() : nil
            resolved.model = try await resolveModel(choice.model ?? cached ?? KnownModels.preferredRecognizers[0],
                                                    offline: choice.offline, notice: notice, progress: progress).path
            if let aligner = choice.alignerModel {
                resolved.alignerModel = try await resolveModel(aligner, offline: choice.offline, notice: notice, progress: progress).path
            }
        }
        return resolved
    }

    /// A folder path, or a name found in the caches, or a repo pulled now unless offline.
    public static func resolveModel(_ nameOrPath: String, offline: Bool, notice: (String) -> Void,
                                    progress: @escaping @Sendable (PullProgress) -> Void) async throws -> URL {
        var environment = HubEnvironment()
        if offline { environment.offline = true }
        let resolver = ModelResolver(environment: environment)
        if let folder = try resolver.localLocation(nameOrPath) { return folder }
        if !environment.offline {
            notice("\(try resolver.repoToPull(nameOrPath)) is not in the model cache: downloading it from "
                + "\(environment.endpoint.absoluteString) into \(environment.hubCache.path) (first use; --offline or HF_HUB_OFFLINE=1 prevents this).")
        }
        return try await resolver.resolve(nameOrPath, pullIfMissing: true, progress: progress)
    }

    /// The recogniser and (when there is one) the aligner of `choice`, from local folders only.
    public static func makeEngines(_ choice: EngineChoice) throws -> (any SpeechRecognizer, (any ForcedAligner)?) {
        switch choice.kind ?? resolvedKind(choice, notice: { _ in }) {
        case .whisper:
            if choice.alignerModel != nil { throw EngineChoiceError.alignerWithWhisper }
            return (try WhisperRecognizer(folder: try localFolder(choice.model ?? KnownModels.whisperBase), precision: choice.precision), nil)
        case .qwen3:
            guard let name = try choice.model ?? cachedRecognizer() else { throw ModelHubError.notCached(repo: KnownModels.preferredRecognizers[0], revision: "main") }
            let recognizer = try Qwen3Recognizer(folder: try localFolder(name), maxChunkDuration: qwen3ChunkSeconds,
                                                 encoderAttention: choice.encoderAttention, precision: choice.precision)
            let alignerFolder = try choice.alignerModel.map(localFolder) ?? cachedFolder(KnownModels.aligner)
            let aligner = try alignerFolder.map {
                try Qwen3Aligner(folder: $0, encoderAttention: choice.encoderAttention, precision: choice.precision)
            }
            return (recognizer, aligner)
        case .remote:
            let recognizer = try RemoteRecognizer(baseURL: choice.asrURL, retry: choice.retry, timeout: choice.remoteTimeout)
            return (recognizer, try choice.alignURL.map { try RemoteAligner(baseURL: $0, retry: choice.retry, timeout: choice.remoteTimeout) })
        }
    }

    /// The first Qwen3-ASR model of `KnownModels.preferredRecognizers` that is on disk.
    static func cachedRecognizer() throws -> String? {
        try KnownModels.preferredRecognizers.first { try cachedFolder($0) != nil }
    }

    /// A cached model's folder, nil when it is not on disk.
    public static func cachedFolder(_ nameOrPath: String) throws -> URL? {
        try ModelResolver().localLocation(nameOrPath)
    }

    /// A folder or cached name; never touches the network.
    public static func localFolder(_ nameOrPath: String) throws -> URL {
        if let folder = try cachedFolder(nameOrPath) { return folder }
        throw ModelHubError.notCached(repo: nameOrPath, revision: "main")
    }
}

/// A choice of engines that cannot be built.
public enum EngineChoiceError: Error, Equatable, Sendable, CustomStringConvertible {
    case alignerWithWhisper
    case chunkTooLong(seconds: Double, kind: EngineChoice.Kind, limit: Double)

    public var description: String {
        switch self {
        case .alignerWithWhisper:
            return "--aligner-model needs a separate aligner; Whisper times words itself. Drop --aligner-model."
        case .chunkTooLong(let seconds, let kind, let limit):
            return "--max-chunk-seconds \(seconds) is longer than the \(kind.rawValue) engine takes in one call (\(limit) s). Pass at most \(limit)."
        }
    }
}
