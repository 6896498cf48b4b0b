import Foundation
import ScribaAudio
import ScribaPipeline

/// The models one `scriba serve` process loaded, shared by the ASR, aligner and UI servers, and
/// the one limiter that bounds how many requests use them at once. The servers start listening
/// while the models load; until `install` runs, `/ready` and the model endpoints answer 503.
public actor EngineHost {
    public enum State: Sendable, Equatable {
        case loading
        case ready
        case failed(String)
    }

    public private(set) var state: State = .loading
    private var pipeline: TranscriptionPipeline?
    /// Unix time the models became ready (`created` in `/v1/models`).
    public private(set) var loadedAt: Int?
    public nonisolated let limiter: ConcurrencyLimiter
    /// One thread per concurrency slot: engine work runs there, never on the cooperative pool.
    nonisolated let executor: EngineExecutor
    /// The voice detector every request's pipeline listens with (`scriba serve --vad`), and
    /// Silero's thresholds.
    public nonisolated let voiceDetector: VoiceDetectorKind
    public nonisolated let sileroOptions: SpeechSegmentOptions
    /// Open `/v1/realtime` streams, counted across the ports that serve it.
    public nonisolated let streamSlots = StreamSlots()
    /// Where `diarize=true` requests find the diarization models (scripts/fetch-diarization-models).
    public private(set) var diarizationModelsFolder = SpeakerDiarizer.defaultModelsFolder
    /// Loaded on the first `diarize=true` request; a request without models is refused, and one after
    /// they are installed loads them (no restart).
    private var diarizer: SpeakerDiarizer?

    public init(limiter: ConcurrencyLimiter, voiceDetector: VoiceDetectorKind = .silero, sileroOptions: SpeechSegmentOptions = .init()) {
        self.limiter = limiter
        self.executor = EngineExecutor(threads: limiter.maxConcurrent)
        self.voiceDetector = voiceDetector
        self.sileroOptions = sileroOptions
    }

    /// Ready at once (tests, or a caller that loaded the models before starting the servers).
    public init(recognizer: any SpeechRecognizer, aligner: (any ForcedAligner)?, limiter: ConcurrencyLimiter,
                voiceDetector: VoiceDetectorKind = .silero, sileroOptions: SpeechSegmentOptions = .init()) {
        self.limiter = limiter
        self.executor = EngineExecutor(threads: limiter.maxConcurrent)
        self.voiceDetector = voiceDetector
        self.sileroOptions = sileroOptions
        self.pipeline = TranscriptionPipeline(recognizer: recognizer, aligner: aligner)
        self.state = .ready
        self.loadedAt = Int(Date().timeIntervalSince1970)
    }

    public func install(recognizer: any SpeechRecognizer, aligner: (any ForcedAligner)?) {
        pipeline = TranscriptionPipeline(recognizer: recognizer, aligner: aligner)
        state = .ready
        loadedAt = Int(Date().timeIntervalSince1970)
    }

    /// Diarization models from `folder` instead of the default (tests; a server with its own layout).
    public func useDiarizationModels(in folder: URL) {
        diarizationModelsFolder = folder
        diarizer = nil
    }

    /// The diarizer, loaded once; `PipelineError.diarizationModelsMissing` when the models are absent.
    func readyDiarizer() throws -> SpeakerDiarizer {
        if let diarizer { return diarizer }
        let loaded = try SpeakerDiarizer(modelsFolder: diarizationModelsFolder)
        diarizer = loaded
        return loaded
    }

    public func markFailed(_ message: String) {
        state = .failed(message)
    }

    /// The pipeline, or `ServerError.notReady` while loading or after a failed load.
    public func readyPipeline() throws -> TranscriptionPipeline {
        switch state {
        case .ready:
            if let pipeline { return pipeline }
            throw ServerError.notReady(failure: nil)
        case .loading: throw ServerError.notReady(failure: nil)
        case .failed(let message): throw ServerError.notReady(failure: message)
        }
    }

    /// Names of the loaded recogniser and aligner, in that order.
    public var modelNames: [String] {
        guard let pipeline else { return [] }
        return [pipeline.recognizer?.modelName, pipeline.aligner?.modelName].compactMap { $0 }
    }
}
