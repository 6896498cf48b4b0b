// Attention for one query row over every head at once: a decode step's self-attention through the
// KV cache (Whisper; Qwen3's grouped kv heads via Attention.scaledDotProduct) and Whisper's
// cross-attention over the encoder output (1500 keys). Heads are split across
// the pool's threads and each head's scores, softmax and weighted value sum run in SIMD registers, so
// a step costs one pass over K and V with both cores, instead of two single-threaded BLAS GEMVs per
// head with a hand-off each. `a += p * b`, not SIMD's `addProduct`: without an FMA target feature the
// latter is a libm `fmaf` call per lane (profiled: 10 % of a Whisper run in `fmaf@plt` alone).
// K and V may be f32 or bf16 bit patterns (a bf16 `KVCache`), widened as they are loaded.

/// What single-query attention reads K and V as: Float, or UInt16 holding bfloat16 bit patterns.
protocol AttentionOperand {
    static func load(_ p: UnsafePointer<Self>) -> FloatVector
}

extension Float: AttentionOperand {
    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> FloatVector { VectorMath.load(p) }
}

extension UInt16: AttentionOperand {
    @inline(__always)
    static func load(_ p: UnsafePointer<UInt16>) -> FloatVector {
        let halves = UnsafeRawPointer(p).loadUnaligned(as: SIMD16<UInt16>.self)
        return unsafeBitCast(SIMD16<UInt32>(truncatingIfNeeded: halves) &<< 16, to: FloatVector.self)
    }
}

public enum SingleQueryAttention {
    /// Below this many K/V elements per call (all heads) the work stays on the calling thread.
    public static let parallelThreshold = 1 << 16

    /// output[h] = softmax(scale · q_h · K_gᵀ) · V_g for h in 0..<heads, g = h / kvGroup (no mask: every
    /// key is visible; kvGroup > 1 is grouped-query attention, several query heads per key/value head).
    /// query/output: heads · headDim packed; key/value row j of kv head g at `key + j·keyRowStride + g·headDim`.
    /// scratch: at least heads × keyLength floats. headDim must be a multiple of 16. Allocates nothing.
    public static func attend(
        query: UnsafePointer<Float>, key: UnsafePointer<Float>, value: UnsafePointer<Float>,
        output: UnsafeMutablePointer<Float>, heads: Int, headDim: Int, keyLength: Int,
        keyRowStride: Int, valueRowStride: Int, scale: Float, kvGroup: Int = 1,
        scratch: UnsafeMutablePointer<Float>, pool: ThreadPool? = .shared
    ) {
        attendAll(query: query, key: key, value: value, output: output, heads: heads, headDim: headDim, keyLength: keyLength,
                  keyRowStride: keyRowStride, valueRowStride: valueRowStride, scale: scale, kvGroup: kvGroup, scratch: scratch, pool: pool)
    }

    /// The same over K and V held as bfloat16 bit patterns (`KVCache` with `.bf16` storage).
    public static func attend(
        query: UnsafePointer<Float>, bf16Key key: UnsafePointer<UInt16>, bf16Value value: UnsafePointer<UInt16>,
        output: UnsafeMutablePointer<Float>, heads: Int, headDim: Int, keyLength: Int,
        keyRowStride: Int, valueRowStride: Int, scale: Float, kvGroup: Int = 1,
        scratch: UnsafeMutablePointer<Float>, pool: ThreadPool? = .shared
    ) {
        attendAll(query: query, key: key, value: value, output: output, heads: heads, headDim: headDim, keyLength: keyLength,
                  keyRowStride: keyRowStride, valueRowStride: valueRowStride, scale: scale, kvGroup: kvGroup, scratch: scratch, pool: pool)
    }

    private static func attendAll<Element: AttentionOperand>(
        query: UnsafePointer<Float>, key: UnsafePointer<Element>, value: UnsafePointer<Element>,
        output: UnsafeMutablePointer<Float>, heads: Int, headDim: Int, keyLength: Int,
        keyRowStride: Int, valueRowStride: Int, scale: Float, kvGroup: Int,
        scratch: UnsafeMutablePointer<Float>, pool: ThreadPool?
    ) {
        precondition(kvGroup >= 1 && heads % kvGroup == 0, "SingleQueryAttention: \(heads) heads do not form groups of \(kvGroup)")
        precondition(headDim % VectorMath.width == 0, "SingleQueryAttention: head size \(headDim) is not a multiple of \(VectorMath.width)")
        guard heads > 0 else { return }
        guard keyLength > 0 else {
            output.update(repeating: 0, count: heads * headDim)
            return
        }
        let threads = min(pool?.threadCount ?? 1, heads)
        guard let pool, threads > 1, heads * keyLength * headDim * 2 >= parallelThreshold else {
            for h in 0..<heads {
                attendHead(h, kvGroup, query, key, value, output, headDim, keyLength, keyRowStride, valueRowStride, scale, scratch + h * keyLength)
            }
            return
        }
        pool.run(tasks: threads) { task in
            for h in (heads * task / threads)..<(heads * (task + 1) / threads) {
                attendHead(h, kvGroup, query, key, value, output, headDim, keyLength, keyRowStride, valueRowStride, scale, scratch + h * keyLength)
            }
        }
    }

    @inline(__always)
    private static func attendHead<Element: AttentionOperand>(
        _ h: Int, _ kvGroup: Int, _ query: UnsafePointer<Float>, _ key: UnsafePointer<Element>, _ value: UnsafePointer<Element>,
        _ output: UnsafeMutablePointer<Float>, _ headDim: Int, _ keyLength: Int,
        _ keyRowStride: Int, _ valueRowStride: Int, _ scale: Float, _ scores: UnsafeMutablePointer<Float>
    ) {
        let width = VectorMath.width, chunks = headDim / width
        let q = query + h * headDim, k = key + (h / kvGroup) * headDim, v = value + (h / kvGroup) * headDim
        for j in 0..<keyLength {
            let row = k + j * keyRowStride
            var sum = FloatVector()
            for c in 0..<chunks { sum += VectorMath.load(q + c * width) * Element.load(row + c * width) }
            scores[j] = sum.sum() * scale
        }
        Softmax.row(scores, count: keyLength)
        let out = output + h * headDim
        if chunks == 4 {
            // headDim 64 (Whisper, most models): the output row stays in four registers.
            var a0 = FloatVector(), a1 = FloatVector(), a2 = FloatVector(), a3 = FloatVector()
            for j in 0..<keyLength {
                let p = FloatVector(repeating: scores[j]), row = v + j * valueRowStride
                a0 += p * Element.load(row); a1 += p * Element.load(row + width)
                a2 += p * Element.load(row + 2 * width); a3 += p * Element.load(row + 3 * width)
            }
            VectorMath.store(a0, out); VectorMath.store(a1, out + width)
            VectorMath.store(a2, out + 2 * width); VectorMath.store(a3, out + 3 * width)
            return
        }
        if chunks == 8 {
            // headDim 128 (Qwen3): eight registers.
            var a = (FloatVector(), FloatVector(), FloatVector(), FloatVector(), FloatVector(), FloatVector(), FloatVector(), FloatVector())
            for j in 0..<keyLength {
                let p = FloatVector(repeating: scores[j]), row = v + j * valueRowStride
                a.0 += p * Element.load(row); a.1 += p * Element.load(row + width)
                a.2 += p * Element.load(row + 2 * width); a.3 += p * Element.load(row + 3 * width)
                a.4 += p * Element.load(row + 4 * width); a.5 += p * Element.load(row + 5 * width)
                a.6 += p * Element.load(row + 6 * width); a.7 += p * Element.load(row + 7 * width)
            }
            VectorMath.store(a.0, out); VectorMath.store(a.1, out + width)
            VectorMath.store(a.2, out + 2 * width); VectorMath.store(a.3, out + 3 * width)
            VectorMath.store(a.4, out + 4 * width); VectorMath.store(a.5, out + 5 * width)
            VectorMath.store(a.6, out + 6 * width); VectorMath.store(a.7, out + 7 * width)
            return
        }
        out.update(repeating: 0, count: headDim)
        for j in 0..<keyLength {
            let p = FloatVector(repeating: scores[j]), row = v + j * valueRowStride
            for c in 0..<chunks {
                var o = VectorMath.load(UnsafePointer(out + c * width))
                o += p * Element.load(row + c * width)
                VectorMath.store(o, out + c * width)
            }
        }
    }
}
