import Foundation

// Word timing from cross-attention, as openai-whisper's timing.py and CTranslate2's `align` do it:
// softmax over frames → per-frame z-normalisation across tokens → median filter along time →
// mean over the alignment heads → DTW on the negated matrix → a token→frame path, whose jumps give
// each token's first frame. Kept free of model code so it can be tested on hand-made matrices.

public enum WhisperAlignment {
    /// Normalises `weights` ([heads][tokens × frames], row-major per head) in place: for each head and
    /// frame, subtract the mean over tokens and divide by the (biased) standard deviation.
    public static func normalizeOverTokens(_ weights: inout [Float], heads: Int, tokens: Int, frames: Int) {
        weights.withUnsafeMutableBufferPointer { w in
            for h in 0..<heads {
                let base = h * tokens * frames
                for f in 0..<frames {
                    var mean: Double = 0
                    for t in 0..<tokens { mean += Double(w[base + t * frames + f]) }
                    mean /= Double(tokens)
                    var variance: Double = 0
                    for t in 0..<tokens {
                        let d = Double(w[base + t * frames + f]) - mean
                        variance += d * d
                    }
                    let std = (variance / Double(tokens)).squareRoot()
                    // A constant column (std 0) carries no timing information; zero it like 0/0 → 0.
                    let scale = std > 0 ? 1 / std : 0
                    for t in 0..<tokens {
                        let i = base + t * frames + f
                        w[i] = Float((Double(w[i]) - mean) * scale)
                    }
                }
            }
        }
    }

    /// Median filter of odd `width` along each row (length `columns`), reflect padding at the edges
    /// (as torch's F.pad(mode: "reflect") then a sliding median, which is what whisper uses).
    public static func medianFilterRows(_ values: inout [Float], rows: Int, columns: Int, width: Int) {
        let pad = width / 2
        guard width > 1, columns > pad else { return }
        var padded = [Float](repeating: 0, count: columns + 2 * pad)
        var window = [Float](repeating: 0, count: width)
        for r in 0..<rows {
            let base = r * columns
            for i in 0..<(columns + 2 * pad) {
                var j = i - pad
                if j < 0 { j = -j }
                if j >= columns { j = 2 * (columns - 1) - j }
                padded[i] = values[base + j]
            }
            for c in 0..<columns {
                for k in 0..<width { window[k] = padded[c + k] }
                window.sort()
                values[base + c] = window[pad]
            }
        }
    }

    /// DTW over a cost matrix (rows = tokens, columns = frames); returns the monotonic path as
    /// (row, column) pairs from (0, 0) to (rows-1, columns-1). Ties prefer the horizontal move, as in
    /// whisper's `dtw_cpu` (strict `<` comparisons, "else" = left).
    public static func dtwPath(cost: [Float], rows: Int, columns: Int) -> [(row: Int, column: Int)] {
        guard rows > 0, columns > 0 else { return [] }
        let width = columns + 1
        var total = [Float](repeating: .infinity, count: (rows + 1) * width)
        var trace = [UInt8](repeating: 2, count: (rows + 1) * width)
        total[0] = 0
        for j in 1...columns {
            for i in 1...rows {
                let diagonal = total[(i - 1) * width + j - 1]
                let up = total[(i - 1) * width + j]
                let left = total[i * width + j - 1]
                let best: Float
                let move: UInt8
                if diagonal < up && diagonal < left {
                    best = diagonal; move = 0
                } else if up < diagonal && up < left {
                    best = up; move = 1
                } else {
                    best = left; move = 2
                }
                total[i * width + j] = cost[(i - 1) * columns + (j - 1)] + best
                trace[i * width + j] = move
            }
        }
        // Borders: the first row can only move left, the first column only up.
        for j in 0...columns { trace[j] = 2 }
        for i in 0...rows { trace[i * width] = 1 }
        var path: [(row: Int, column: Int)] = []
        var i = rows, j = columns
        while i > 0 || j > 0 {
            path.append((i - 1, j - 1))
            switch trace[i * width + j] {
            case 0: i -= 1; j -= 1
            case 1: i -= 1
            default: j -= 1
            }
        }
        return path.reversed()
    }

    /// The frame at which each token starts: the column of the path step where the row index first
    /// changes (whisper's "jumps"). Returns `rows` values (frame indices).
    public static func tokenStartFrames(path: [(row: Int, column: Int)], rows: Int) -> [Int] {
        var starts = [Int](repeating: 0, count: rows)
        var previousRow = -1
        for step in path where step.row != previousRow && step.row >= 0 {
            if step.row < rows { starts[step.row] = step.column }
            previousRow = step.row
        }
        return starts
    }
}
