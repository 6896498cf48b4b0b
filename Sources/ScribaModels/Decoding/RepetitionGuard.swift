// Loop detection for greedy decoding, shared by the Whisper and Qwen3-ASR decoders. Greedy decoders
// on hard audio fall into loops ("I think I think I think …") that run to the token bound; the
// detector notices within a window of tokens, the decoder stops and re-decodes with a
// no-repeat-n-gram constraint, and the caller marks the chunk when that fails too.

/// Thresholds of the repetition guard; the defaults are on.
public struct RepetitionGuardOptions: Sendable, Hashable {
    public var enabled: Bool
    /// Length of the n-grams compared (tokens).
    public var ngramSize: Int
    /// Tokens looked back over.
    public var window: Int
    /// A loop is declared when the latest n-gram occurs this many times in the window. Real speech
    /// repeats a 4-token phrase 5 times within ~100 words almost never; a loop does it at once.
    public var maxRepeats: Int
    /// Text whose zlib compression ratio exceeds this is repetitive (Whisper's rule, 2.4).
    public var compressionRatioThreshold: Double
    /// n of the no-repeat-n-gram constraint used when re-decoding after a loop.
    public var retryNoRepeatNgramSize: Int

    public init(enabled: Bool = true, ngramSize: Int = 4, window: Int = 160, maxRepeats: Int = 5,
                compressionRatioThreshold: Double = 2.4, retryNoRepeatNgramSize: Int = 3) {
        self.enabled = enabled
        self.ngramSize = ngramSize
        self.window = window
        self.maxRepeats = maxRepeats
        self.compressionRatioThreshold = compressionRatioThreshold
        self.retryNoRepeatNgramSize = retryNoRepeatNgramSize
    }

    public static let disabled = RepetitionGuardOptions(enabled: false)

    /// Why the options cannot work, or nil.
    public var problem: String? {
        if ngramSize < 1 { return "the repetition n-gram size must be at least 1 (got \(ngramSize))" }
        if maxRepeats < 2 { return "the repetition limit must be at least 2 (got \(maxRepeats))" }
        if window < ngramSize * maxRepeats {
            return "the repetition window (\(window) tokens) must hold n-gram size × repeats = \(ngramSize * maxRepeats) tokens"
        }
        if compressionRatioThreshold <= 1 { return "the compression-ratio threshold must be above 1 (got \(compressionRatioThreshold))" }
        if retryNoRepeatNgramSize < 1 { return "the retry no-repeat n-gram size must be at least 1 (got \(retryNoRepeatNgramSize))" }
        return nil
    }
}

/// Watches a token stream for a repeated n-gram. Fixed storage: no allocation per token.
public struct RepetitionDetector: Sendable {
    public let options: RepetitionGuardOptions
    /// Ring of the last `window` tokens and the caller's index of each.
    private var tokens: [Int]
    private var positions: [Int]
    private var count = 0
    /// Caller's index where the repeated stretch starts (the second occurrence of the n-gram):
    /// everything before it is kept, the rest is the loop. nil until a loop is seen.
    public private(set) var loopStart: Int?

    public init(options: RepetitionGuardOptions) {
        self.options = options
        let size = max(1, options.window)
        tokens = [Int](repeating: 0, count: size)
        positions = [Int](repeating: 0, count: size)
    }

    public mutating func reset() {
        count = 0
        loopStart = nil
    }

    /// Adds `token` (at the caller's `position`, e.g. its index in the generated ids); true when
    /// the stream now loops.
    @discardableResult
    public mutating func push(_ token: Int, position: Int) -> Bool {
        guard options.enabled else { return false }
        let size = tokens.count
        tokens[count % size] = token
        positions[count % size] = position
        count += 1
        let n = options.ngramSize
        let available = min(count, size)
        guard available >= n else { return false }
        // Compare the newest n-gram (ending at count − 1) with every n-gram ending earlier in the window.
        var matches = 1
        // Walking back, each match is earlier than the last: keep the earliest two.
        var earliest: Int?
        var second: Int?
        var end = count - 2
        let oldestEnd = count - available + n - 1
        while end >= oldestEnd {
            var same = true
            for k in 0..<n where tokens[(end - k) % size] != tokens[(count - 1 - k) % size] {
                same = false
                break
            }
            if same {
                matches += 1
                second = earliest
                earliest = positions[(end - n + 1) % size]
            }
            end -= 1
        }
        guard matches >= options.maxRepeats else { return false }
        loopStart = second ?? positions[(count - n) % size]
        return true
    }
}

/// Bans tokens that would repeat an n-gram already in `sequence` (Hugging Face's
/// `no_repeat_ngram_size`): sets their logits to −∞. `allowed` limits which ids may be banned.
public enum NoRepeatNgram {
    public static func apply(
        size n: Int, sequence: ArraySlice<Int>, to logits: UnsafeMutableBufferPointer<Float>,
        canBan: (Int) -> Bool = { _ in true }
    ) {
        guard n >= 1, sequence.count >= n - 1 else { return }
        let base = sequence.startIndex, length = sequence.count
        // The last n − 1 tokens; any earlier place they occur, the token after it is banned.
        let prefixStart = base + length - (n - 1)
        var start = base
        while start + n - 1 < base + length {
            var same = true
            for k in 0..<(n - 1) where sequence[start + k] != sequence[prefixStart + k] {
                same = false
                break
            }
            if same {
                let banned = sequence[start + n - 1]
                if banned >= 0, banned < logits.count, canBan(banned) { logits[banned] = -.infinity }
            }
            start += 1
        }
    }
}

/// Public face of the zlib compression ratio (Whisper's repetitiveness measure) for callers outside
/// the Whisper decoder.
public enum TextCompression {
    /// UTF-8 bytes over zlib-compressed bytes; nil when zlib is unavailable.
    public static func ratio(_ text: String) -> Double? { WhisperCompression.ratio(text) }
}
