// The many-row product y (+)= x · Wᵀ for bf16 and int8 weights on oneDNN, in the precision the weights
// were chosen in:
// - bf16 weights: x rounded to bf16, bf16 × bf16 with f32 accumulation (AVX512_BF16).
// - int8 with one scale per row: x quantised per row (symmetric, scale = max|x| / 127), s8 × s8 with
//   exact integer sums (VNNI), then scaled by the input row's and the weight row's scales.
// - int8 with group scales: a group scale cannot be factored out of a dot product over all columns,
//   so tiles of rows are dequantised to bf16 and go the bf16 way.
// `Linear.forward` calls it for more than `gemvMaxRows` rows; f32 weights, and weights whose
// `lowPrecisionProducts` is off, stay on sgemm (bit-identical to the reference path).

enum LowPrecisionMatMul {
    /// output (+)= x · Wᵀ for the leading output features, x: [rows × weight.cols], output:
    /// [rows × weight.rows]; the bias, if any, is already in `output` and `accumulate` is then true.
    /// Returns how many leading output features (weight rows) it computed: all of them, or 0 when
    /// oneDNN is not available or failed (the caller does the rest on sgemm).
    static func multiply(_ x: UnsafePointer<Float>, rows: Int, weight: WeightMatrix, output: UnsafeMutablePointer<Float>,
                         accumulate: Bool, scratch: LinearScratch, pool: ThreadPool?) -> Int {
        guard OneDNN.isAvailable, weight.lowPrecisionProducts else { return 0 }
        let n = weight.rows, k = weight.cols
        switch weight.storage {
        case .f32:
            return 0
        case .bf16(let values):
            let a = scratch.halves(rows * k)
            BFloat16.convert(x, to: a, count: rows * k)
            let done = values.withUnsafeBufferPointer { w in
                OneDNN.multiply(.bf16, a: a, m: rows, k: k, w: w.baseAddress!, n: n, c: output, ldc: n, accumulate: accumulate)
            }
            return done ? n : 0
        case .int8(let values, let weightScales) where weight.groupsPerRow == 1:
            let a = scratch.bytes(rows * k)
            let rowScales = scratch.rowScales(rows)
            for r in 0..<rows {
                // Finite activations always quantise; a NaN row propagates as scale NaN.
                if Int8Quantization.quantizeRow(x + r * k, count: k, groupSize: k, values: a + r * k, scales: rowScales + r) != nil {
                    rowScales[r] = .nan
                }
            }
            let product = scratch.floats(rows * n)
            let done = values.withUnsafeBufferPointer { w in
                OneDNN.multiply(.s8, a: a, m: rows, k: k, w: w.baseAddress!, n: n, c: product, ldc: n, accumulate: false)
            }
            guard done else { return 0 }
            // The integer sums times the input row's and the weight row's scales (oneDNN 2.6's brgemm
            // takes neither per-row nor run-time scales, so they are applied here, in one pass).
            weightScales.withUnsafeBufferPointer { s in
                let ws = s.baseAddress!
                for r in 0..<rows {
                    let scale = rowScales[r], p = product + r * n, y = output + r * n
                    if accumulate {
                        for i in 0..<n { y[i] += p[i] * (scale * ws[i]) }
                    } else {
                        for i in 0..<n { y[i] = p[i] * (scale * ws[i]) }
                    }
                }
            }
            return n
        case .int8:
            let a = scratch.halves(rows * k)
            BFloat16.convert(x, to: a, count: rows * k)
            let tileRows = min(n, max(16, Linear.tileElements / k))
            let tile = scratch.tile(tileRows * k)
            for start in stride(from: 0, to: n, by: tileRows) {
                let end = min(start + tileRows, n)
                ThreadPool.split(start..<end, over: pool) { rows in
                    weight.dequantizeRowsToBF16(rows, into: tile + (rows.lowerBound - start) * k)
                }
                guard OneDNN.multiply(.bf16, a: a, m: rows, k: k, w: tile, n: end - start, c: output + start, ldc: n,
                                      accumulate: accumulate) else { return start }
            }
            return n
        }
    }
}
