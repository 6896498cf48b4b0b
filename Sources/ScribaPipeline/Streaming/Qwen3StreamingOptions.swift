import ScribaModels
import ScribaTranscript

/// How a Qwen3-ASR live session decodes (`Qwen3StreamingSession`).
public struct Qwen3StreamingOptions: Sendable, Equatable {
    public enum Mode: Sendable, Equatable {
        /// qwen-asr's `streaming_transcribe` exactly: every chunk re-decodes all audio since the start
        /// with the whole rolled-back output as the prefix. Cost grows with the stream: for tests
        /// against the reference and short streams.
        case official
        /// The official rule on bounded context: encoder windows cached once complete, the model hears
        /// at most `contextWindows` windows and sees at most `maxPrefixTokens` prefix tokens, the KV
        /// rows of the unchanged prompt start are kept, and a silence starts a new segment.
        case live
    }

    public var mode: Mode
    /// nil: detected (live mode fixes it after the first output that names one).
    public var language: Language?
    /// The system-turn context (names, terms).
    public var context: String?
    /// A step decodes once this much new audio has arrived (`chunk_size_sec`, 2 s).
    public var chunkSeconds: Double
    /// Chunks decoded without a prefix at the start (`unfixed_chunk_num`, 2).
    public var unfixedChunks: Int
    /// Tokens rolled back from the previous output (`unfixed_token_num`, 5); also how far behind
    /// the hypothesis' end committed text stays.
    public var unfixedTokens: Int
    /// New tokens per step (the reference's streaming demo: 32).
    public var maxNewTokens: Int
    /// Live: encoder windows (8 s each in the released models) the model hears at most; past it,
    /// the oldest half are dropped (so it hears 16–32 s with the default 4).
    public var contextWindows: Int
    /// Live: prefix tokens the prompt carries at most.
    public var maxPrefixTokens: Int
    /// Live: a silence this long (RMS below `silenceLevel`) at the end of the audio commits the
    /// segment and starts the next one there, with the committed text as context.
    public var silenceSeconds: Double
    public var silenceLevel: Float
    /// Live: a segment shorter than this is not cut at a silence (a pause between words).
    public var minSegmentSeconds: Double
    /// Live: keep the KV rows of the prompt's unchanged start between steps (off only to test that
    /// keeping them changes nothing).
    public var reusesPromptCache = true

    public init(mode: Mode = .live, language: Language? = nil, context: String? = nil, chunkSeconds: Double = 2.0,
                unfixedChunks: Int = 2, unfixedTokens: Int = 5, maxNewTokens: Int = Qwen3ASR.streamingMaxNewTokens,
                contextWindows: Int = 4, maxPrefixTokens: Int = 150, silenceSeconds: Double = 0.8,
                silenceLevel: Float = 0.01, minSegmentSeconds: Double = 6) {
        self.mode = mode
        self.language = language
        self.context = context
        self.chunkSeconds = chunkSeconds
        self.unfixedChunks = unfixedChunks
        self.unfixedTokens = unfixedTokens
        self.maxNewTokens = maxNewTokens
        self.contextWindows = contextWindows
        self.maxPrefixTokens = maxPrefixTokens
        self.silenceSeconds = silenceSeconds
        self.silenceLevel = silenceLevel
        self.minSegmentSeconds = minSegmentSeconds
    }
}
