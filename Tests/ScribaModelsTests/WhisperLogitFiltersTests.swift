import Testing
@testable import ScribaModels

/// A 15-token toy vocabulary: text 0...4, eot 5, sot 6, a language token 7, <|notimestamps|> 8,
/// timestamps 9...14.
struct WhisperLogitFiltersTests {
    let tokens = WhisperSpecialTokens(endOfText: 5, startOfTranscript: 6, noTimestamps: 8, timestampEnd: 14)

    func filtered(_ logits: [Float], sampled: [Int], maxInitial: Int? = 2,
                  suppress: [Int] = [], suppressBegin: [Int] = []) -> [Float] {
        let filters = WhisperLogitFilters(tokens: tokens, suppressIDs: suppress,
                                          suppressIDsBegin: suppressBegin, maxInitialTimestampIndex: maxInitial)
        var row = logits
        row.withUnsafeMutableBufferPointer { filters.apply(to: $0, sampled: sampled[...]) }
        return row
    }

    func allowed(_ row: [Float]) -> [Int] { row.indices.filter { row[$0] > -.infinity } }

    @Test func firstTokenIsATimestampNoLaterThanTheMaxInitial() {
        let row = filtered([Float](repeating: 0, count: 15), sampled: [], suppressBegin: [5])
        #expect(allowed(row) == [9, 10, 11])
    }

    @Test func anOpenTimestampPairAllowsOnlyLaterTimestampsOrEOT() {
        // Uniform logits: the timestamp mass (log 4) beats eot (0), so as in CTranslate2 even eot goes.
        let uniform = filtered([Float](repeating: 0, count: 15), sampled: [10, 1, 11])
        #expect(allowed(uniform) == [11, 12, 13, 14])
        var logits = [Float](repeating: 0, count: 15)
        logits[5] = 3
        #expect(allowed(filtered(logits, sampled: [10, 1, 11])) == [5, 6, 7, 11, 12, 13, 14])
    }

    @Test func aClosedPairAllowsOnlyText() {
        // Text logits high so the timestamp-mass rule does not remove them.
        var logits = [Float](repeating: 0, count: 15)
        for i in 0..<5 { logits[i] = 5 }
        let row = filtered(logits, sampled: [10, 1, 11, 11])
        #expect(allowed(row) == [0, 1, 2, 3, 4, 5, 6, 7])
    }

    @Test func timestampMassBeatingEveryTextTokenForcesATimestamp() {
        // Each timestamp logit 1.0 (6 of them: log-sum ≈ 2.79) beats the best text token at 2.5.
        var logits = [Float](repeating: 1, count: 15)
        logits[2] = 2.5
        let row = filtered(logits, sampled: [9, 2])
        #expect(allowed(row) == [9, 10, 11, 12, 13, 14])
        // At 3.0 the text token wins and everything stays allowed but <|notimestamps|>.
        logits[2] = 3.0
        #expect(allowed(filtered(logits, sampled: [9, 2])) == [0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14])
    }

    @Test func withoutTimestampsOnlySuppressionApplies() {
        let row = filtered([Float](repeating: 0, count: 15), sampled: [], maxInitial: nil,
                           suppress: [3], suppressBegin: [5])
        #expect(allowed(row) == [0, 1, 2, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14])
        let later = filtered([Float](repeating: 0, count: 15), sampled: [1], maxInitial: nil,
                             suppress: [3], suppressBegin: [5])
        #expect(allowed(later) == [0, 1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14])
    }
}
