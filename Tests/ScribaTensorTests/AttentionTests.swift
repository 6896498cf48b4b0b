import Foundation
import Testing
import ScribaTensor

/// Naive attention in double: for query row i, head h (kv head h / group), softmax over visible keys.
private func referenceAttention(
    q: [Float], k: [Float], v: [Float], shape s: AttentionShape, scale: Double, visible: (Int, Int) -> Bool
) -> [Double] {
    let group = s.queryHeads / s.kvHeads, d = s.headDim
    var out = [Double](repeating: 0, count: s.queryLength * s.queryHeads * d)
    for i in 0..<s.queryLength {
        for h in 0..<s.queryHeads {
            let kvh = h / group
            let keys = (0..<s.keyLength).filter { visible(i, $0) }
            var scores = keys.map { j -> Double in
                (0..<d).reduce(0.0) { $0 + Double(q[(i * s.queryHeads + h) * d + $1]) * Double(k[(j * s.kvHeads + kvh) * d + $1]) } * scale
            }
            guard let m = scores.max() else { continue }
            scores = scores.map { exp($0 - m) }
            let total = scores.reduce(0, +)
            for (p, j) in zip(scores, keys) {
                for e in 0..<d { out[(i * s.queryHeads + h) * d + e] += p / total * Double(v[(j * s.kvHeads + kvh) * d + e]) }
            }
        }
    }
    return out
}

private func attend(q: [Float], k: [Float], v: [Float], shape: AttentionShape, mask: AttentionMask, scale: Float) -> [Float] {
    var out = [Float](repeating: .nan, count: shape.queryLength * shape.queryHeads * shape.headDim)
    var scratch = [Float](repeating: .nan, count: shape.scratchCount(mask: mask))
    out.withPointer { o in
        scratch.withUnsafeMutableBufferPointer { Attention.scaledDotProduct(query: q, key: k, value: v, output: o, shape: shape, mask: mask, scale: scale, scratch: $0) }
    }
    return out
}

private struct Case {
    let shape: AttentionShape
    let q: [Float], k: [Float], v: [Float]
    init(queryLength: Int, keyLength: Int, queryHeads: Int, kvHeads: Int, headDim: Int, seed: UInt64) {
        shape = AttentionShape(queryLength: queryLength, keyLength: keyLength, queryHeads: queryHeads, kvHeads: kvHeads, headDim: headDim)
        // Spread 3 so the softmax is far from uniform.
        q = randomFloats(queryLength * queryHeads * headDim, in: -3...3, seed: seed)
        k = randomFloats(keyLength * kvHeads * headDim, in: -1...1, seed: seed + 1)
        v = randomFloats(keyLength * kvHeads * headDim, in: -1...1, seed: seed + 2)
    }
}

// Outputs are convex combinations of values in [-1, 1]; 1e-5 relative plus 2e-6 absolute covers
// float32 dot products of length 20 and the softmax.
private let relativeTolerance = 1e-5, absoluteTolerance = 2e-6

@Test func unmaskedGroupedQueryAttentionMatchesReference() {
    let c = Case(queryLength: 5, keyLength: 9, queryHeads: 6, kvHeads: 2, headDim: 20, seed: 51)
    let scale: Float = 1 / Float(20).squareRoot()
    let y = attend(q: c.q, k: c.k, v: c.v, shape: c.shape, mask: .none, scale: scale)
    let reference = referenceAttention(q: c.q, k: c.k, v: c.v, shape: c.shape, scale: Double(scale)) { _, _ in true }
    #expect(worstToleranceRatio(y, reference, relative: relativeTolerance, absolute: absoluteTolerance) <= 1)
}

@Test func groupedQueryHeadsReadTheirOwnKVHead() {
    // GQA with 4 query heads over 2 kv heads must equal plain multi-head attention over the kv heads
    // repeated as [kv0, kv0, kv1, kv1] (HF repeat_kv).
    let c = Case(queryLength: 3, keyLength: 6, queryHeads: 4, kvHeads: 2, headDim: 17, seed: 61)
    let d = 17
    func repeated(_ x: [Float]) -> [Float] {
        var result = [Float]()
        for j in 0..<6 {
            for kvh in [0, 0, 1, 1] {
                let start: Int = (j * 2 + kvh) * d
                result += x[start..<(start + d)]
            }
        }
        return result
    }
    let gqa = attend(q: c.q, k: c.k, v: c.v, shape: c.shape, mask: .causal(queryOffset: 3), scale: 0.3)
    let mha = attend(q: c.q, k: repeated(c.k), v: repeated(c.v),
                     shape: AttentionShape(queryLength: 3, keyLength: 6, queryHeads: 4, kvHeads: 4, headDim: d),
                     mask: .causal(queryOffset: 3), scale: 0.3)
    #expect(worstToleranceRatio(gqa, mha.map(Double.init), relative: 1e-6, absolute: 1e-7) <= 1)
    // Changing kv head 1 changes query heads 2 and 3 only.
    var k2 = c.k
    for j in 0..<6 { for e in 0..<d { k2[(j * 2 + 1) * d + e] *= -1 } }
    let changed = attend(q: c.q, k: k2, v: c.v, shape: c.shape, mask: .causal(queryOffset: 3), scale: 0.3)
    for i in 0..<3 {
        let rowStart: Int = i * 4 * d
        let heads01: Range<Int> = rowStart..<(rowStart + 2 * d)
        let heads23: Range<Int> = (rowStart + 2 * d)..<(rowStart + 4 * d)
        #expect(Array(changed[heads01]) == Array(gqa[heads01]))
        #expect(Array(changed[heads23]) != Array(gqa[heads23]))
    }
}

@Test func causalMaskWithOffsetMatchesReference() {
    // 4 new queries after 7 cached positions: query i sees keys 0...7 + i of 11.
    let c = Case(queryLength: 4, keyLength: 11, queryHeads: 4, kvHeads: 1, headDim: 20, seed: 71)
    let y = attend(q: c.q, k: c.k, v: c.v, shape: c.shape, mask: .causal(queryOffset: 7), scale: 0.25)
    let reference = referenceAttention(q: c.q, k: c.k, v: c.v, shape: c.shape, scale: 0.25) { i, j in j <= 7 + i }
    #expect(worstToleranceRatio(y, reference, relative: relativeTolerance, absolute: absoluteTolerance) <= 1)
}

@Test func causalRowIgnoresFutureKeys() {
    // Prefill of 6 tokens: replacing key/value 5 changes only the last query row.
    let c = Case(queryLength: 6, keyLength: 6, queryHeads: 2, kvHeads: 2, headDim: 18, seed: 81)
    let before = attend(q: c.q, k: c.k, v: c.v, shape: c.shape, mask: .causal(queryOffset: 0), scale: 0.2)
    var k2 = c.k, v2 = c.v
    let row = 2 * 18
    for e in (5 * row)..<(6 * row) { k2[e] = 5; v2[e] = -7 }
    let after = attend(q: c.q, k: k2, v: v2, shape: c.shape, mask: .causal(queryOffset: 0), scale: 0.2)
    #expect(Array(after[0..<(5 * row)]) == Array(before[0..<(5 * row)]))
    #expect(Array(after[(5 * row)...]) != Array(before[(5 * row)...]))
}

@Test func blockDiagonalWindowsMatchReferenceAndIsolateWindows() {
    let windows = [3, 5, 4]
    let c = Case(queryLength: 12, keyLength: 12, queryHeads: 2, kvHeads: 2, headDim: 20, seed: 91)
    let window = (0..<12).map { t in t < 3 ? 0 : (t < 8 ? 1 : 2) }
    let mask = AttentionMask.blockDiagonal(windows: windows)
    #expect(c.shape.scratchCount(mask: mask) == 25)  // largest window 5 → 5 × 5
    let y = attend(q: c.q, k: c.k, v: c.v, shape: c.shape, mask: mask, scale: 0.22)
    let reference = referenceAttention(q: c.q, k: c.k, v: c.v, shape: c.shape, scale: 0.22) { i, j in window[i] == window[j] }
    #expect(worstToleranceRatio(y, reference, relative: relativeTolerance, absolute: absoluteTolerance) <= 1)
    // Changing token 4's key/value (middle window) leaves windows 0 and 2 bit-identical.
    var k2 = c.k, v2 = c.v
    let row = 2 * 20
    for e in (4 * row)..<(5 * row) { k2[e] += 1; v2[e] -= 1 }
    let after = attend(q: c.q, k: k2, v: v2, shape: c.shape, mask: mask, scale: 0.22)
    #expect(Array(after[0..<(3 * row)]) == Array(y[0..<(3 * row)]))
    #expect(Array(after[(8 * row)...]) == Array(y[(8 * row)...]))
    #expect(Array(after[(3 * row)..<(8 * row)]) != Array(y[(3 * row)..<(8 * row)]))
}

/// One query row (decoding), grouped kv heads: head sizes off the SIMD width go through sgemm per kv
/// group (20), multiples of 16 through SingleQueryAttention (32; 128 keeps the output row in eight
/// registers); 4 heads over 2 kv heads at 128 is Qwen3's grouping.
@Test(arguments: [(20, 6), (32, 6), (128, 6), (128, 4)])
func singleQueryGroupedPathMatchesReference(headDim: Int, queryHeads: Int) {
    let c = Case(queryLength: 1, keyLength: 13, queryHeads: queryHeads, kvHeads: 2, headDim: headDim, seed: 131)
    #expect(c.shape.scratchCount(mask: .none) == queryHeads * 13)
    for (mask, horizon) in [(AttentionMask.none, 12), (.causal(queryOffset: 8), 8)] {
        let y = attend(q: c.q, k: c.k, v: c.v, shape: c.shape, mask: mask, scale: 0.3)
        let reference = referenceAttention(q: c.q, k: c.k, v: c.v, shape: c.shape, scale: 0.3) { _, j in j <= horizon }
        #expect(worstToleranceRatio(y, reference, relative: relativeTolerance, absolute: absoluteTolerance) <= 1)
    }
}
