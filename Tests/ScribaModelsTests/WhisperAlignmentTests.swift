import Testing
@testable import ScribaModels
import ScribaTestSupport

struct WhisperAlignmentTests {
    @Test func dtwFollowsTheCheapDiagonalBlocks() {
        // 3 tokens × 6 frames; token t is cheap (-1) on frames 2t and 2t+1, expensive (0) elsewhere.
        var cost = [Float](repeating: 0, count: 18)
        for t in 0..<3 { cost[t * 6 + 2 * t] = -1; cost[t * 6 + 2 * t + 1] = -1 }
        let path = WhisperAlignment.dtwPath(cost: cost, rows: 3, columns: 6)
        #expect(path.first! == (0, 0))
        #expect(path.last! == (2, 5))
        // openai-whisper's dtw_cpu on the same matrix gives text_indices [0 0 1 1 1 2 2 2],
        // time_indices [0 1 1 2 3 3 4 5], so the jumps fall on frames [0, 1, 3].
        #expect(path.map { $0.row } == [0, 0, 1, 1, 1, 2, 2, 2])
        #expect(path.map { $0.column } == [0, 1, 1, 2, 3, 3, 4, 5])
        #expect(WhisperAlignment.tokenStartFrames(path: path, rows: 3) == [0, 1, 3])
    }

    @Test func dtwPathIsMonotonicAndConnected() {
        var rng = SplitMix64(seed: 7)
        let rows = 9, columns = 40
        let cost = (0..<(rows * columns)).map { _ in Float(rng.unit()) }
        let path = WhisperAlignment.dtwPath(cost: cost, rows: rows, columns: columns)
        for (a, b) in zip(path, path.dropFirst()) {
            let dr = b.row - a.row, dc = b.column - a.column
            #expect((dr, dc) == (1, 1) || (dr, dc) == (1, 0) || (dr, dc) == (0, 1))
        }
        #expect(path.count >= columns)
    }

    @Test func dtwTiesMoveLeftFirst() {
        // All-zero cost: every comparison ties; openai-whisper's dtw_cpu returns
        // text_indices [0 1 1 1 1], time_indices [0 0 1 2 3] for a 2 × 4 matrix.
        let path = WhisperAlignment.dtwPath(cost: [Float](repeating: 0, count: 8), rows: 2, columns: 4)
        #expect(path.map { [$0.row, $0.column] } == [[0, 0], [1, 0], [1, 1], [1, 2], [1, 3]])
    }

    @Test func medianFilterUsesReflectPadding() {
        var row: [Float] = [5, 1, 9, 2, 8]
        WhisperAlignment.medianFilterRows(&row, rows: 1, columns: 5, width: 3)
        // Padded with reflect: [1, 5,1,9,2,8, 2] → medians of each window of 3.
        #expect(row == [1, 5, 2, 8, 2])
    }

    @Test func normalisationGivesZeroMeanUnitVariancePerFrame() {
        var w: [Float] = [1, 2, 3, 4, 5, 6, 7, 8, 9]  // 1 head, 3 tokens × 3 frames
        WhisperAlignment.normalizeOverTokens(&w, heads: 1, tokens: 3, frames: 3)
        for f in 0..<3 {
            let column = [w[f], w[3 + f], w[6 + f]]
            #expect(abs(column.reduce(0, +)) < 1e-6)
            #expect(abs(column.map { $0 * $0 }.reduce(0, +) / 3 - 1) < 1e-5)
        }
    }
}

