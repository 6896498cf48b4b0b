// Full (unmasked) multi-head attention over a long sequence, split across the pool's threads by
// (head, block of query rows): each block's scores [blockRows × keys] stay cache-sized instead of
// one head's whole [queries × keys] matrix, and the softmax runs on both cores instead of one. The
// two products per block are single-threaded BLAS calls made from the pool's threads, so OpenBLAS
// is held to one thread for the call (its own threads would fight the pool for the same cores).

public enum ParallelAttention {
    /// Query rows per block: 128 × 1500 scores (Whisper's encoder) is 768 KB, about one core's L2.
    public static let blockRows = 128

    /// Scratch floats `attend` needs: one score block per thread.
    public static func scratchCount(keyLength: Int, threads: Int) -> Int { max(1, threads) * blockRows * keyLength }

    /// output = softmax(scale · Q·Kᵀ) · V per head, every key visible; `shape.kvHeads` must equal
    /// `queryHeads`. `scratch` holds at least `scratchCount(keyLength:threads:)` for the pool's size.
    public static func attend(
        query: UnsafePointer<Float>, key: UnsafePointer<Float>, value: UnsafePointer<Float>,
        output: UnsafeMutablePointer<Float>, shape s: AttentionShape, scale: Float,
        scratch: UnsafeMutableBufferPointer<Float>, pool: ThreadPool? = .shared
    ) {
        precondition(s.kvHeads == s.queryHeads, "ParallelAttention: grouped heads are not supported")
        guard s.queryLength > 0, s.keyLength > 0, s.headDim > 0 else { return }
        let threads = pool?.threadCount ?? 1
        precondition(scratch.count >= scratchCount(keyLength: s.keyLength, threads: threads),
                     "attention scratch holds \(scratch.count) floats, needs \(scratchCount(keyLength: s.keyLength, threads: threads))")
        let blocks = (s.queryLength + blockRows - 1) / blockRows
        let items = s.queryHeads * blocks
        let previousBLASThreads = BLAS.threads
        if threads > 1 { BLAS.setThreads(1) }
        defer { if threads > 1 { BLAS.setThreads(previousBLASThreads) } }
        let work = { (task: Int, taskCount: Int) in
            let scores = scratch.baseAddress! + task * blockRows * s.keyLength
            for item in (items * task / taskCount)..<(items * (task + 1) / taskCount) {
                let h = item / blocks, first = (item % blocks) * blockRows
                let rows = min(blockRows, s.queryLength - first)
                BLAS.sgemm(transB: true, m: rows, n: s.keyLength, k: s.headDim, alpha: scale,
                           a: query + first * s.queryRowStride + h * s.headDim, lda: s.queryRowStride,
                           b: key + h * s.headDim, ldb: s.keyRowStride, c: scores, ldc: s.keyLength)
                for r in 0..<rows { Softmax.row(scores + r * s.keyLength, count: s.keyLength) }
                BLAS.sgemm(m: rows, n: s.headDim, k: s.keyLength, a: scores, lda: s.keyLength,
                           b: value + h * s.headDim, ldb: s.valueRowStride,
                           c: output + first * s.outputRowStride + h * s.headDim, ldc: s.outputRowStride)
            }
        }
        guard let pool, threads > 1 else {
            work(0, 1)
            return
        }
        pool.run(tasks: threads) { work($0, threads) }
    }
}
