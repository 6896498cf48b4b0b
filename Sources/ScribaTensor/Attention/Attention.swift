// Scaled dot-product attention over row-major [seq, heads, headDim] buffers, with grouped-query
// heads (query head h reads kv head h / (queryHeads / kvHeads), as HF's repeat_kv) and three masks.
// One head's score matrix lives in caller-provided scratch at a time (when decoding a single query,
// one kv group's 1-row score matrices); the score and value products are BLAS calls on strided
// views, so Q/K/V can sit inside fused projections or a KV cache.

/// Which keys each query may see.
public enum AttentionMask: Sendable, Equatable {
    /// Every query sees every key (Whisper encoder, cross-attention).
    case none
    /// Query i (0-based in this call) sits at absolute position queryOffset + i and sees keys
    /// 0...queryOffset + i. With a KV cache holding `queryOffset` earlier tokens this is the
    /// decoder mask; queryOffset = 0 is the plain prefill mask.
    case causal(queryOffset: Int)
    /// Block-diagonal: consecutive windows of the given lengths (summing to the sequence length);
    /// a token sees only keys in its own window (Qwen3-ASR audio encoder, `cu_seqlens`).
    case blockDiagonal(windows: [Int])
}

/// Sizes and row strides (in floats) of the attention operands.
public struct AttentionShape: Sendable, Equatable {
    public var queryLength: Int
    public var keyLength: Int
    public var queryHeads: Int
    public var kvHeads: Int
    public var headDim: Int
    public var queryRowStride: Int
    public var keyRowStride: Int
    public var valueRowStride: Int
    public var outputRowStride: Int

    /// Strides default to densely packed rows: heads · headDim.
    public init(
        queryLength: Int, keyLength: Int, queryHeads: Int, kvHeads: Int, headDim: Int,
        queryRowStride: Int? = nil, keyRowStride: Int? = nil, valueRowStride: Int? = nil, outputRowStride: Int? = nil
    ) {
        precondition(queryHeads > 0 && kvHeads > 0 && queryHeads % kvHeads == 0,
                     "attention: \(kvHeads) kv heads must divide \(queryHeads) query heads")
        self.queryLength = queryLength
        self.keyLength = keyLength
        self.queryHeads = queryHeads
        self.kvHeads = kvHeads
        self.headDim = headDim
        self.queryRowStride = queryRowStride ?? queryHeads * headDim
        self.keyRowStride = keyRowStride ?? kvHeads * headDim
        self.valueRowStride = valueRowStride ?? kvHeads * headDim
        self.outputRowStride = outputRowStride ?? queryHeads * headDim
    }

    /// Floats of scratch `Attention.scaledDotProduct` needs with `mask` (one head's scores).
    public func scratchCount(mask: AttentionMask) -> Int {
        switch mask {
        case .none, .causal:
            // A single query (decoding) scores all its heads at once: heads × keyLength.
            return (queryLength == 1 ? queryHeads : queryLength) * keyLength
        case .blockDiagonal(let windows): return windows.map { $0 * $0 }.max() ?? 0
        }
    }
}

public enum Attention {
    /// output = softmax(scale · Q·Kᵀ + mask) · V per query head. Query rows with no visible key
    /// (only possible with a negative causal offset) come out as zeros. `output` must not overlap Q/K/V.
    /// `scratch` holds at least `shape.scratchCount(mask:)` floats.
    public static func scaledDotProduct(
        query: UnsafePointer<Float>, key: UnsafePointer<Float>, value: UnsafePointer<Float>,
        output: UnsafeMutablePointer<Float>, shape s: AttentionShape,
        mask: AttentionMask, scale: Float, scratch scratchBuffer: UnsafeMutableBufferPointer<Float>
    ) {
        guard s.queryLength > 0, s.headDim > 0 else { return }
        // A short scratch would be silent memory corruption; the check is once per call.
        let needed = s.scratchCount(mask: mask)
        precondition(scratchBuffer.count >= needed, "attention scratch holds \(scratchBuffer.count) floats, needs \(needed)")
        guard let scratch = scratchBuffer.baseAddress else { return }
        let group = s.queryHeads / s.kvHeads
        if s.queryLength == 1 && group > 1 {
            switch mask {
            case .none:
                attendGroupedSingleQuery(query: query, key: key, value: value, output: output, s, causalOffset: nil, scale: scale, scratch: scratch)
                return
            case .causal(let offset):
                attendGroupedSingleQuery(query: query, key: key, value: value, output: output, s, causalOffset: offset, scale: scale, scratch: scratch)
                return
            case .blockDiagonal:
                break
            }
        }
        for h in 0..<s.queryHeads {
            let kvHead = h / group
            let operands = HeadOperands(
                query: query + h * s.headDim, key: key + kvHead * s.headDim, value: value + kvHead * s.headDim,
                output: output + h * s.headDim)
            switch mask {
            case .none:
                attendBlock(operands, s, queryStart: 0, queryCount: s.queryLength, keyStart: 0,
                            keyCount: s.keyLength, causalOffset: nil, scale: scale, scratch: scratch)
            case .causal(let offset):
                attendBlock(operands, s, queryStart: 0, queryCount: s.queryLength, keyStart: 0,
                            keyCount: s.keyLength, causalOffset: offset, scale: scale, scratch: scratch)
            case .blockDiagonal(let windows):
                precondition(s.queryLength == s.keyLength && windows.reduce(0, +) == s.queryLength,
                             "attention: windows \(windows) must cover the \(s.queryLength)-token sequence")
                var start = 0
                for length in windows {
                    attendBlock(operands, s, queryStart: start, queryCount: length, keyStart: start,
                                keyCount: length, causalOffset: nil, scale: scale, scratch: scratch)
                    start += length
                }
            }
        }
    }

    /// Base pointers of one query head and its kv head (row 0).
    private struct HeadOperands {
        let query: UnsafePointer<Float>
        let key: UnsafePointer<Float>
        let value: UnsafePointer<Float>
        let output: UnsafeMutablePointer<Float>
    }

    private static func attendBlock(
        _ o: HeadOperands, _ s: AttentionShape,
        queryStart: Int, queryCount: Int, keyStart: Int, keyCount: Int,
        causalOffset: Int?, scale: Float, scratch: UnsafeMutablePointer<Float>
    ) {
        guard queryCount > 0 else { return }
        let q = o.query + queryStart * s.queryRowStride
        let k = o.key + keyStart * s.keyRowStride
        let v = o.value + keyStart * s.valueRowStride
        let out = o.output + queryStart * s.outputRowStride
        // Keys past the last query's horizon are never visible: leave them out of both products.
        let usedKeys = causalOffset.map { max(0, min(keyCount, $0 + queryCount)) } ?? keyCount
        guard usedKeys > 0 else {
            for i in 0..<queryCount { (out + i * s.outputRowStride).update(repeating: 0, count: s.headDim) }
            return
        }
        if queryCount == 1 {
            // Decoding: two GEMVs instead of GEMMs with m = 1.
            BLAS.sgemv(m: usedKeys, n: s.headDim, alpha: scale, a: k, lda: s.keyRowStride, x: q, y: scratch)
            let visible = causalOffset.map { min(usedKeys, $0 + 1) } ?? usedKeys
            normalise(scratch, visible: visible, total: usedKeys)
            BLAS.sgemv(trans: true, m: usedKeys, n: s.headDim, a: v, lda: s.valueRowStride, x: scratch, y: out)
            return
        }
        BLAS.sgemm(
            transB: true, m: queryCount, n: usedKeys, k: s.headDim, alpha: scale,
            a: q, lda: s.queryRowStride, b: k, ldb: s.keyRowStride, c: scratch, ldc: usedKeys)
        for i in 0..<queryCount {
            let visible = causalOffset.map { min(usedKeys, $0 + i + 1) } ?? usedKeys
            normalise(scratch + i * usedKeys, visible: visible, total: usedKeys)
        }
        BLAS.sgemm(
            m: queryCount, n: s.headDim, k: usedKeys,
            a: scratch, lda: usedKeys, b: v, ldb: s.valueRowStride, c: out, ldc: s.outputRowStride)
    }

    /// Decoding with grouped kv heads: SingleQueryAttention with each query head reading its group's
    /// K/V. For head sizes off the SIMD width, the `group` query heads sharing a kv head (consecutive
    /// in the query row) form a [group × headDim] matrix for two sgemm calls per kv head.
    private static func attendGroupedSingleQuery(
        query: UnsafePointer<Float>, key: UnsafePointer<Float>, value: UnsafePointer<Float>,
        output: UnsafeMutablePointer<Float>, _ s: AttentionShape,
        causalOffset: Int?, scale: Float, scratch: UnsafeMutablePointer<Float>
    ) {
        let group = s.queryHeads / s.kvHeads
        let usedKeys = causalOffset.map { max(0, min(s.keyLength, $0 + 1)) } ?? s.keyLength
        guard usedKeys > 0 else {
            output.update(repeating: 0, count: s.queryHeads * s.headDim)
            return
        }
        if s.headDim % VectorMath.width == 0 {
            // One pass over K and V per head in SIMD registers, heads on both cores. Through sgemm
            // (below) OpenBLAS copied (packed) the whole K and V of the kv head on every call: at a
            // 5-minute context that copying was over half of a decode step.
            SingleQueryAttention.attend(
                query: query, key: key, value: value, output: output, heads: s.queryHeads, headDim: s.headDim,
                keyLength: usedKeys, keyRowStride: s.keyRowStride, valueRowStride: s.valueRowStride, scale: scale,
                kvGroup: group, scratch: scratch)
            return
        }
        for kvHead in 0..<s.kvHeads {
            let q = query + kvHead * group * s.headDim
            let out = output + kvHead * group * s.headDim
            BLAS.sgemm(
                transB: true, m: group, n: usedKeys, k: s.headDim, alpha: scale,
                a: q, lda: s.headDim, b: key + kvHead * s.headDim, ldb: s.keyRowStride, c: scratch, ldc: usedKeys)
            for row in 0..<group { Softmax.row(scratch + row * usedKeys, count: usedKeys) }
            BLAS.sgemm(
                m: group, n: s.headDim, k: usedKeys,
                a: scratch, lda: usedKeys, b: value + kvHead * s.headDim, ldb: s.valueRowStride, c: out, ldc: s.headDim)
        }
    }

    /// Softmax over the first `visible` scores, zeros for the masked rest.
    @inline(__always)
    private static func normalise(_ row: UnsafeMutablePointer<Float>, visible: Int, total: Int) {
        let shown = max(0, visible)
        Softmax.row(row, count: shown)
        if shown < total { (row + shown).update(repeating: 0, count: total - shown) }
    }
}
