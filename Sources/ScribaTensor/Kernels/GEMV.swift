// y = x · Wᵀ (+ b) for a few input rows against a `WeightMatrix` in any precision: the decode-step
// kernel. It is bound by reading W, so W is streamed once for all input rows, split by output rows
// across the pool's threads, and accumulated in f32. For many input rows (prefill of a long prompt)
// f32 weights through `Linear.forward` (BLAS GEMM) are faster: GEMM reuses each weight from cache.

public enum GEMV {
    /// Below this many weight elements a call runs on the calling thread: the hand-off (~1 µs) would
    /// cost more than the second core saves.
    public static let parallelThreshold = 1 << 16

    /// Whether int8 weights meet int16-quantised inputs (AVX-512 VNNI builds; QuantizedInputGEMV.swift)
    /// for matrices whose columns tile into 32-column blocks; otherwise inputs stay f32.
    public static var quantizesInt8Inputs: Bool { QuantizedInputGEMV.isEnabled }

    /// x: [inputs × weight.cols], bias: [weight.rows] or nil, output: [inputs × weight.rows] (must not
    /// overlap x). `pool` nil runs single-threaded. Results are bit-identical for any pool and any
    /// number of inputs (each row of the output depends only on its own input row). Allocates nothing
    /// on the heap for decode-sized inputs (int8 on VNNI rounds the inputs into a stack buffer).
    public static func multiply(
        _ weight: WeightMatrix, x: UnsafePointer<Float>, inputs: Int = 1,
        bias: UnsafePointer<Float>? = nil, output: UnsafeMutablePointer<Float>,
        pool: ThreadPool? = .shared
    ) {
        precondition(inputs >= 0, "GEMV.multiply: negative input count \(inputs)")
        guard inputs > 0 else { return }
        switch weight.storage {
        case .f32(let values):
            values.withUnsafeBufferPointer { w in
                dispatch(F32Row.self, weight, w.baseAddress!, scales: nil, x, inputs, bias, output, pool)
            }
        case .bf16(let values):
            values.withUnsafeBufferPointer { w in
                dispatch(BF16Row.self, weight, w.baseAddress!, scales: nil, x, inputs, bias, output, pool)
            }
        case .int8(let values, let scales):
            values.withUnsafeBufferPointer { w in
                scales.withUnsafeBufferPointer { s in
                    if let block = QuantizedInputGEMV.block(for: weight) {
                        QuantizedInputGEMV.multiply(
                            values: w.baseAddress!, scales: s.baseAddress!, weight, block: block,
                            x: x, inputs: inputs, bias: bias, output: output, pool: pool)
                        return
                    }
                    dispatch(Int8Row.self, weight, w.baseAddress!, scales: s.baseAddress!, x, inputs, bias, output, pool)
                }
            }
        }
    }

    /// Convenience for tests and simple callers: x holds `inputs` rows; returns [inputs × rows].
    public static func multiply(_ weight: WeightMatrix, x: [Float], bias: [Float]? = nil, pool: ThreadPool? = .shared) -> [Float] {
        precondition(x.count % weight.cols == 0, "GEMV.multiply: \(x.count) inputs values are not rows of \(weight.cols)")
        precondition(bias == nil || bias!.count == weight.rows, "GEMV.multiply: bias needs \(weight.rows) values")
        let inputs = x.count / weight.cols
        var y = [Float](repeating: 0, count: inputs * weight.rows)
        x.withUnsafeBufferPointer { xb in
            y.withUnsafeMutableBufferPointer { yb in
                guard let xp = xb.baseAddress, let yp = yb.baseAddress else { return }
                if let bias {
                    bias.withUnsafeBufferPointer { multiply(weight, x: xp, inputs: inputs, bias: $0.baseAddress, output: yp, pool: pool) }
                } else {
                    multiply(weight, x: xp, inputs: inputs, output: yp, pool: pool)
                }
            }
        }
        return y
    }

    private static func dispatch<F: WeightRowFormat>(
        _ format: F.Type, _ weight: WeightMatrix, _ w: UnsafePointer<F.Element>, scales: UnsafePointer<Float>?,
        _ x: UnsafePointer<Float>, _ inputs: Int, _ bias: UnsafePointer<Float>?, _ y: UnsafeMutablePointer<Float>,
        _ pool: ThreadPool?
    ) {
        let operands = GEMVOperands(
            weights: w, scales: scales, rows: weight.rows, cols: weight.cols,
            groupSize: weight.groupSize, groupsPerRow: weight.groupsPerRow,
            x: x, m: inputs, bias: bias, y: y)
        split(rows: weight.rows, elements: weight.rows * weight.cols, pool: pool) { range in
            GEMVKernels.run(format, operands, rows: range)
        }
    }

    /// Runs `body` over output-row ranges covering 0..<rows: one per pool thread, or one range on
    /// the calling thread for small matrices.
    static func split(rows: Int, elements: Int, pool: ThreadPool?, _ body: (Range<Int>) -> Void) {
        let threads = min(pool?.threadCount ?? 1, rows / 4)
        guard let pool, threads > 1, elements >= parallelThreshold else {
            body(0..<rows)
            return
        }
        pool.run(tasks: threads) { task in
            // Split points on multiples of 4 keep the four-row blocks whole (speed only; any split
            // gives the same numbers).
            let start = (rows * task / threads) & ~3
            let end = task == threads - 1 ? rows : (rows * (task + 1) / threads) & ~3
            body(start..<end)
        }
    }
}
