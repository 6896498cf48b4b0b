import Foundation

// The logit rules Whisper decoding applies before each greedy choice, as CTranslate2 3.x/4.x
// (the engine faster-whisper runs) applies them: suppressed ids every step, blank/eot suppression at
// the first sampled step, and the timestamp rules (pairs, monotonic, max initial timestamp, "sum of
// timestamp probability beats any text token"). Matching these exactly is what makes Scriba's greedy
// tokens equal faster-whisper's.

/// Token ids the rules need, looked up once from the vocabulary and config.json.
public struct WhisperSpecialTokens: Sendable, Equatable {
    public var endOfText: Int          // <|endoftext|>
    public var startOfTranscript: Int  // <|startoftranscript|>
    public var noTimestamps: Int       // <|notimestamps|>; timestamps start right after it
    public var timestampBegin: Int { noTimestamps + 1 }
    public var timestampEnd: Int       // last id of the vocabulary (<|30.00|>)

    public init(endOfText: Int, startOfTranscript: Int, noTimestamps: Int, timestampEnd: Int) {
        self.endOfText = endOfText
        self.startOfTranscript = startOfTranscript
        self.noTimestamps = noTimestamps
        self.timestampEnd = timestampEnd
    }
}

public struct WhisperLogitFilters: Sendable {
    public var tokens: WhisperSpecialTokens
    /// config.json `suppress_ids`: disabled at every step.
    public var suppressIDs: [Int]
    /// config.json `suppress_ids_begin` (blank and eot): disabled at the first sampled step.
    public var suppressIDsBegin: [Int]
    /// nil = <|notimestamps|> mode (no timestamp rules).
    public var maxInitialTimestampIndex: Int?

    public init(tokens: WhisperSpecialTokens, suppressIDs: [Int], suppressIDsBegin: [Int],
                maxInitialTimestampIndex: Int?) {
        self.tokens = tokens
        self.suppressIDs = suppressIDs
        self.suppressIDsBegin = suppressIDsBegin
        self.maxInitialTimestampIndex = maxInitialTimestampIndex
    }

    /// Applies every rule to `logits` (one row over the vocabulary) in place.
    /// `sampled` holds the tokens generated so far in this window (not the prompt).
    public func apply(to logits: UnsafeMutableBufferPointer<Float>, sampled: ArraySlice<Int>) {
        let vocab = logits.count
        func disable(_ range: Range<Int>) {
            let lower = max(0, range.lowerBound), upper = min(vocab, range.upperBound)
            if lower < upper { for i in lower..<upper { logits[i] = -.infinity } }
        }
        for id in suppressIDs where id >= 0 && id < vocab { logits[id] = -.infinity }
        if sampled.isEmpty {
            for id in suppressIDsBegin where id >= 0 && id < vocab { logits[id] = -.infinity }
        }
        guard let maxInitial = maxInitialTimestampIndex else { return }

        let tsBegin = tokens.timestampBegin, tsEnd = tokens.timestampEnd
        logits[tokens.noTimestamps] = -.infinity
        if sampled.isEmpty {
            // The first token must be a timestamp no later than the max initial one.
            disable(0..<tsBegin)
            disable((tsBegin + maxInitial + 1)..<(tsEnd + 1))
            return
        }

        var checkTimestampMass = true
        let last = sampled[sampled.endIndex - 1]
        if last >= tsBegin {
            let penultimate = sampled.count > 1 ? sampled[sampled.endIndex - 2] : last
            if penultimate >= tsBegin {
                // A closed pair: the next token must be text (or eot).
                disable(tsBegin..<(tsEnd + 1))
                checkTimestampMass = false
            } else {
                // An open pair: the next token must be a timestamp (or eot).
                disable(0..<tokens.endOfText)
            }
        }
        // Timestamps never decrease.
        if let lastTimestamp = sampled.last(where: { $0 >= tsBegin }) {
            disable(tsBegin..<lastTimestamp)
        }
        if checkTimestampMass && Self.timestampMassWins(logits, timestampBegin: tsBegin, timestampEnd: tsEnd) {
            disable(0..<tsBegin)
        }
    }

    /// True when log Σ p(timestamps) exceeds the best single text-token log-probability
    /// (both under the same softmax, so the normaliser cancels).
    static func timestampMassWins(_ logits: UnsafeMutableBufferPointer<Float>, timestampBegin: Int, timestampEnd: Int) -> Bool {
        var maxText = -Float.infinity
        for i in 0..<timestampBegin where logits[i] > maxText { maxText = logits[i] }
        var maxTs = -Float.infinity
        for i in timestampBegin...timestampEnd where logits[i] > maxTs { maxTs = logits[i] }
        guard maxTs > -.infinity else { return false }
        var sum: Float = 0
        for i in timestampBegin...timestampEnd { sum += expf(logits[i] - maxTs) }
        return maxTs + logf(sum) > maxText
    }
}
