import ScribaAudio
import ScribaModels

// The two capabilities every engine offers, so commands, the server and tests treat the local
// Qwen3 and Whisper engines and the remote HTTP engines alike.

/// What a recogniser is asked for besides the audio.
public struct RecognitionOptions: Sendable, Equatable {
    /// nil: detect the language.
    public var language: Language?
    /// Free text that biases recognition (names, terms): Qwen3-ASR's system-turn context,
    /// Whisper's initial prompt. nil or empty: none.
    public var context: String?
    /// Ask the engine for word times when it can give them itself (Whisper's cross-attention).
    public var wordTimestamps: Bool
    /// Loop detection while decoding and its recovery (local engines); on by default.
    public var repetitionGuard: RepetitionGuardOptions
    /// Whisper's temperature fallback (re-decode at 0.2 … 1.0 when a pass looks poor). Live sessions
    /// turn it off: on a short buffer it can cost many passes (a 30 s step was measured) and its
    /// sampled text only delays agreement.
    public var temperatureFallback = true
    /// Whisper: never emit a bare space token (see `WhisperOptions.suppressBareSpace`). Live sessions
    /// turn it on for languages written with spaces: conditioned on the committed text, Whisper base
    /// writes " " + "nd" where nothing was said, two passes agree on it, and the fragment then spreads
    /// through the prompts (27 "nd" words in a 10-minute stream).
    public var suppressBareSpace = false

    public init(language: Language? = nil, context: String? = nil, wordTimestamps: Bool = false,
                repetitionGuard: RepetitionGuardOptions = .init()) {
        self.language = language
        self.context = context
        self.wordTimestamps = wordTimestamps
        self.repetitionGuard = repetitionGuard
    }

    /// `context` when it holds text, else nil.
    public var contextText: String? {
        guard let text = context?.trimmingWhitespace(), !text.isEmpty else { return nil }
        return text
    }
}

/// One engine call's result for one stretch of audio. Times are seconds from the start of the
/// audio passed in; the pipeline adds chunk offsets.
public struct Recognition: Sendable, Equatable {
    /// Detected or forced language code ("en", "zh"); empty when the engine heard no speech.
    public var language: String
    /// Probability of `language` when the engine detected it; nil when forced or not reported.
    public var languageProbability: Double?
    public var text: String
    /// Engine segments (Whisper's timestamped segments); engines without timestamps return one
    /// segment spanning the audio, or none for silence. Words are filled when the engine has them.
    public var segments: [TranscriptSegment]
    /// `ok`, or `truncated` (token budget hit) / `repetition` (loop not recovered) when the text may
    /// be incomplete. The pipeline turns empty text into `empty` itself.
    public var status: ChunkStatus
    /// The repetition guard stopped a loop and the re-decode came out clean.
    public var recoveredLoop: Bool

    public init(language: String, languageProbability: Double? = nil, text: String, segments: [TranscriptSegment],
                status: ChunkStatus = .ok, recoveredLoop: Bool = false) {
        self.language = language
        self.languageProbability = languageProbability
        self.text = text
        self.segments = segments
        self.status = status
        self.recoveredLoop = recoveredLoop
    }
}

public protocol SpeechRecognizer: Sendable {
    /// Shown in logs, reports and `/v1/models` ("whisper-base", "Qwen3-ASR-1.7B").
    var modelName: String { get }
    /// Longest audio (seconds) one call should get; the pipeline chunks longer input at pauses.
    var maxChunkDuration: Double { get }
    func transcribe(_ audio: AudioBuffer, options: RecognitionOptions) async throws -> Recognition
    /// Calls worth making at once: 1 for a local engine (it uses every core already); more for a
    /// pool of remote endpoints, which the pipeline then feeds a file's chunks concurrently.
    var concurrentCalls: Int { get }
}

extension SpeechRecognizer {
    public var concurrentCalls: Int { 1 }
}

public protocol ForcedAligner: Sendable {
    var modelName: String { get }
    /// Longest audio (seconds) one alignment call should get.
    var maxChunkDuration: Double { get }
    /// Times for the words of `text` in `audio` (seconds from its start). Empty text → no words.
    func align(_ audio: AudioBuffer, text: String, language: Language) async throws -> [TimedWord]
}
