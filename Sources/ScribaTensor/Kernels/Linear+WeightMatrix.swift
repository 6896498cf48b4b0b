// y = x · Wᵀ (+ b) (or y += …) against a `WeightMatrix` in any precision, choosing the kernel by the
// number of input rows: a few rows (decode steps) stream the stored weights once through
// `GEMV.multiply`; many rows (encoder, prefill, aligner) go through BLAS sgemm on the f32 values in
// place when stored as f32 (exact), through oneDNN's bf16 / int8 matmul for other precisions when
// the build has it (`LowPrecisionMatMul`), and otherwise through sgemm on tiles of rows dequantised
// into a reused scratch — GEMM reuses each weight across all input rows, so widening a tile costs
// little next to the multiply, and no f32 copy of the whole matrix ever exists.

/// Reused working memory of `Linear.forward(_:rows:weight:...)`: the dequantised weight tile, the GEMV
/// output of an accumulating call, and the low-precision copies of the input oneDNN multiplies.
/// Each buffer grows on demand and never shrinks; not thread-safe.
public final class LinearScratch {
    private var buffers: [UnsafeMutableRawPointer?] = Array(repeating: nil, count: Buffer.allCases.count)
    private var capacities = Array(repeating: 0, count: Buffer.allCases.count)

    private enum Buffer: Int, CaseIterable { case floats, halves, bytes, rowScales, tile }

    public init() {}

    deinit { for buffer in buffers { buffer?.deallocate() } }

    private func raw(_ buffer: Buffer, bytes needed: Int) -> UnsafeMutableRawPointer {
        let i = buffer.rawValue
        if needed > capacities[i] || buffers[i] == nil {
            buffers[i]?.deallocate()
            buffers[i] = .allocate(byteCount: max(needed, 64), alignment: 64)
            capacities[i] = max(needed, 64)
        }
        return buffers[i]!
    }

    func floats(_ count: Int) -> UnsafeMutablePointer<Float> { raw(.floats, bytes: count * 4).bindMemory(to: Float.self, capacity: count) }
    func halves(_ count: Int) -> UnsafeMutablePointer<UInt16> { raw(.halves, bytes: count * 2).bindMemory(to: UInt16.self, capacity: count) }
    func bytes(_ count: Int) -> UnsafeMutablePointer<Int8> { raw(.bytes, bytes: count).bindMemory(to: Int8.self, capacity: count) }
    func rowScales(_ count: Int) -> UnsafeMutablePointer<Float> { raw(.rowScales, bytes: count * 4).bindMemory(to: Float.self, capacity: count) }
    func tile(_ count: Int) -> UnsafeMutablePointer<UInt16> { raw(.tile, bytes: count * 2).bindMemory(to: UInt16.self, capacity: count) }
}

extension Linear {
    /// Up to this many input rows use GEMV (weights read once for all rows); more use GEMM.
    public static let gemvMaxRows = 4
    /// Elements per dequantised tile (4 MB of f32): large enough for GEMM to run at full speed,
    /// small enough to stay in the 32 MB L3 while it is multiplied.
    static let tileElements = 1 << 20

    /// x: [rows × weight.cols], bias: [weight.rows] or nil, output: [rows × weight.rows] (must not
    /// overlap x). `accumulate` adds x · Wᵀ + b onto output (a residual stream) instead of
    /// overwriting it. Up to `gemvMaxRows` rows stream the weights through GEMV (a model whose
    /// matrices are small next to its caches may set it higher). Allocates nothing once `scratch` has grown.
    public static func forward(
        _ x: UnsafePointer<Float>, rows: Int, weight: WeightMatrix, bias: UnsafePointer<Float>?,
        output: UnsafeMutablePointer<Float>, accumulate: Bool = false, scratch: LinearScratch,
        pool: ThreadPool? = .shared, gemvMaxRows: Int = Linear.gemvMaxRows
    ) {
        guard rows > 0 else { return }
        let outFeatures = weight.rows, inFeatures = weight.cols
        if rows <= gemvMaxRows {
            if accumulate {
                let temporary = scratch.floats(rows * outFeatures)
                GEMV.multiply(weight, x: x, inputs: rows, bias: bias, output: temporary, pool: pool)
                for i in 0..<(rows * outFeatures) { output[i] += temporary[i] }
            } else {
                GEMV.multiply(weight, x: x, inputs: rows, bias: bias, output: output, pool: pool)
            }
            return
        }
        // Seed the bias (or keep the residual) and let BLAS accumulate onto it with beta = 1.
        var beta: Float = accumulate ? 1 : 0
        if let bias {
            for r in 0..<rows {
                let y = output + r * outFeatures
                if accumulate {
                    for i in 0..<outFeatures { y[i] += bias[i] }
                } else {
                    y.update(from: bias, count: outFeatures)
                }
            }
            beta = 1
        }
        let done: Void? = weight.withF32Values { w in
            BLAS.sgemm(transB: true, m: rows, n: outFeatures, k: inFeatures, a: x, lda: inFeatures,
                       b: w, ldb: inFeatures, beta: beta, c: output, ldc: outFeatures)
        }
        guard done == nil else { return }
        // bf16 / int8 weights: oneDNN where this build has it, for as many output features as it did.
        let computed = LowPrecisionMatMul.multiply(x, rows: rows, weight: weight, output: output, accumulate: beta == 1,
                                                   scratch: scratch, pool: pool)
        guard computed < outFeatures else { return }
        let tileRows = min(outFeatures, max(16, tileElements / inFeatures))
        let tile = scratch.floats(tileRows * inFeatures)
        for start in stride(from: computed, to: outFeatures, by: tileRows) {
            let end = min(start + tileRows, outFeatures)
            // Widening is memory-bound, like a GEMV: on every thread.
            ThreadPool.split(start..<end, over: pool) { rows in
                weight.dequantizeRows(rows, into: tile + (rows.lowerBound - start) * inFeatures)
            }
            BLAS.sgemm(transB: true, m: rows, n: end - start, k: inFeatures, a: x, lda: inFeatures,
                       b: tile, ldb: inFeatures, beta: beta, c: output + start, ldc: outFeatures)
        }
    }
}
