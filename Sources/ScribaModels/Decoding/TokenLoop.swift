import ScribaTensor

/// The token-by-token loop every decoder here runs (Qwen3-ASR and Whisper): before each pick the
/// logits are shaped (the model's own filters, then a no-repeat-n-gram ban on a retry), a token is
/// picked (arg-max, or a sample), and decoding ends at a stop token (not kept), at a loop the
/// repetition guard sees (the looping tail cut off), or at the length bound; otherwise the token is
/// fed back and the next logits arrive in the same buffer.
struct TokenLoop {
    /// Where the model leaves the next step's logits.
    var logits: UnsafeMutableBufferPointer<Float>
    var maxLength: Int
    var isStop: (Int) -> Bool
    var repetitionGuard: RepetitionGuardOptions
    /// Tokens the repetition guard counts (Whisper: text tokens only, timestamps differ between copies).
    var guarded: (Int) -> Bool = { _ in true }
    /// On a retry: ban any repeated n-gram of this size among the tokens `bannable` allows.
    var noRepeatNgramSize: Int?
    var bannable: (Int) -> Bool = { _ in true }

    struct Output: Equatable {
        var ids: [Int]
        /// A stop token ended decoding.
        var stopped: Bool
        /// The repetition guard ended decoding; `ids` end before the loop.
        var looped: Bool
    }

    /// `shape` edits the logits given the tokens so far; `pick` chooses from them (and may look at
    /// them for scores); `advance` runs the model on the picked token.
    func run(shape: (UnsafeMutableBufferPointer<Float>, ArraySlice<Int>) -> Void = { _, _ in },
             pick: (UnsafeMutableBufferPointer<Float>) -> Int = { Vector.argmax($0.baseAddress!, count: $0.count) },
             advance: (Int) throws -> Void) rethrows -> Output {
        guard maxLength > 0 else { return Output(ids: [], stopped: false, looped: false) }
        var detector = RepetitionDetector(options: repetitionGuard)
        var ids: [Int] = []
        ids.reserveCapacity(maxLength)
        while true {
            shape(logits, ids[...])
            if let n = noRepeatNgramSize {
                NoRepeatNgram.apply(size: n, sequence: ids[...], to: logits, canBan: bannable)
            }
            let token = pick(logits)
            if isStop(token) { return Output(ids: ids, stopped: true, looped: false) }
            ids.append(token)
            if guarded(token), detector.push(token, position: ids.count - 1) {
                ids.removeSubrange((detector.loopStart ?? ids.count)...)
                return Output(ids: ids, stopped: false, looped: true)
            }
            if ids.count == maxLength { return Output(ids: ids, stopped: false, looped: false) }
            try advance(token)
        }
    }
}
