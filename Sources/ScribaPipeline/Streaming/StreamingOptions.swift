import ScribaModels
import ScribaTranscript

/// How a live session decodes and how much audio it keeps.
public struct StreamingOptions: Sendable, Equatable {
    /// nil: detected on the first hypothesis with words, then kept for the rest of the stream.
    public var language: Language?
    /// Free text that biases recognition (names, terms), put before the committed-text prompt.
    public var context: String?
    /// A step runs once this much new audio has arrived (whisper_streaming's min-chunk-size, 1 s).
    public var minStepSeconds: Double
    /// Past this buffer length the buffer is cut at the last committed sentence end
    /// (whisper_streaming's buffer_trimming_sec, 15 s).
    public var trimSeconds: Double
    /// Past this length the buffer is cut at the last committed word even mid-sentence, and audio
    /// that nothing was committed from is dropped: one decoding stays within one 30 s Whisper window.
    public var maxBufferSeconds: Double
    /// When nothing can be committed, this much of the buffer's end is kept on a forced cut.
    public var keepOnForcedCutSeconds: Double
    /// The prompt carries at most this many characters of committed text from before the buffer
    /// (whisper_streaming: 200).
    public var promptCharacters: Int

    public static let defaultMinStepSeconds = 1.0
    public static let defaultTrimSeconds = 15.0
    public static let defaultMaxBufferSeconds = 25.0

    public init(language: Language? = nil, context: String? = nil, minStepSeconds: Double = defaultMinStepSeconds,
                trimSeconds: Double = defaultTrimSeconds, maxBufferSeconds: Double = defaultMaxBufferSeconds,
                keepOnForcedCutSeconds: Double = 5, promptCharacters: Int = 200) {
        self.language = language
        self.context = context
        self.minStepSeconds = minStepSeconds
        self.trimSeconds = trimSeconds
        self.maxBufferSeconds = maxBufferSeconds
        self.keepOnForcedCutSeconds = keepOnForcedCutSeconds
        self.promptCharacters = promptCharacters
    }
}

/// A recogniser whose `Recognition` carries word times when `wordTimestamps` is asked for, so
/// LocalAgreement can commit words with their times (Whisper's cross-attention DTW).
public protocol WordTimingRecognizer: SpeechRecognizer {}

extension WhisperRecognizer: WordTimingRecognizer {}

public enum StreamingSessions {
    /// The live session for `recognizer`: LocalAgreement for an engine that times its own words,
    /// Qwen3-ASR's own streaming method (live mode) for a local Qwen3 model, else
    /// `PipelineError.streamingUnsupported`.
    public static func make(recognizer: any SpeechRecognizer, options: StreamingOptions = .init()) throws -> any StreamingSession {
        if let qwen3 = recognizer as? Qwen3Recognizer {
            return Qwen3StreamingSession(recognizer: qwen3, options: Qwen3StreamingOptions(language: options.language, context: options.context))
        }
        guard recognizer is any WordTimingRecognizer else { throw PipelineError.streamingUnsupported(model: recognizer.modelName) }
        return LocalAgreementSession(recognizer: recognizer, options: options)
    }
}
