import Foundation
import Testing
import ScribaTensor

/// Rotate-half RoPE straight from the formula, in double: pairs (i, i + d/2), angle p·θ^(-2i/d).
private func referenceRoPE(_ x: [Float], rows: Int, heads: Int, headDim: Int, positions: [Int], theta: Double) -> [Double] {
    var y = x.map(Double.init)
    let half = headDim / 2
    for r in 0..<rows {
        for h in 0..<heads {
            let base = (r * heads + h) * headDim
            for i in 0..<half {
                let angle = Double(positions[r]) * pow(theta, -2 * Double(i) / Double(headDim))
                let x1 = Double(x[base + i]), x2 = Double(x[base + half + i])
                y[base + i] = x1 * cos(angle) - x2 * sin(angle)
                y[base + half + i] = x2 * cos(angle) + x1 * sin(angle)
            }
        }
    }
    return y
}

@Test func ropeMatchesFormulaForGivenPositions() {
    // headDim 36 → 18 pairs: one full 16-lane vector plus a 2-wide tail.
    let rows = 4, heads = 3, headDim = 36, theta = 1_000_000.0
    let positions = [0, 7, 3, 40]
    let x = randomFloats(rows * heads * headDim, seed: 21)
    let table = RoPETable(headDim: headDim, maxPositions: 64, theta: theta)
    var y = x
    y.withPointer { p in positions.withUnsafeBufferPointer { table.apply(p, rows: rows, heads: heads, positions: $0.baseAddress!) } }
    // Angles are float32 like HF's: p·inv_freq rounds by ≤ 40·2^-24 ≈ 2.4e-6 rad, so with |x| ≤ 1
    // each output may be off by ~5e-6 absolute.
    let reference = referenceRoPE(x, rows: rows, heads: heads, headDim: headDim, positions: positions, theta: theta)
    #expect(worstToleranceRatio(y, reference, relative: 1e-5, absolute: 1e-5) <= 1)
    // Position 0 is the identity.
    #expect(Array(y[0..<(heads * headDim)]) == Array(x[0..<(heads * headDim)]))
}

@Test func ropeBeyondTableAndConsecutivePositionsAgree() {
    let heads = 2, headDim = 8, theta = 10_000.0
    let x = randomFloats(3 * heads * headDim, seed: 22)
    // Table of 5 positions: rows at 4, 5, 6 straddle its end; a big table gives the same values.
    let small = RoPETable(headDim: headDim, maxPositions: 5, theta: theta)
    let large = RoPETable(headDim: headDim, maxPositions: 16, theta: theta)
    var a = x, b = x
    a.withPointer { small.apply($0, rows: 3, heads: heads, startPosition: 4) }
    b.withPointer { p in [4, 5, 6].withUnsafeBufferPointer { large.apply(p, rows: 3, heads: heads, positions: $0.baseAddress!) } }
    #expect(a == b)
    #expect(a != x)
}

@Test func ropeRespectsRowStrideOfFusedProjection() {
    // Rows of a fused [q | k] buffer: rotating the q part with rowStride leaves k untouched.
    let heads = 2, headDim = 6, rows = 3, stride = 2 * heads * headDim
    let x = randomFloats(rows * stride, seed: 23)
    let table = RoPETable(headDim: headDim, maxPositions: 8, theta: 10_000)
    var fused = x
    fused.withPointer { table.apply($0, rows: rows, heads: heads, rowStride: stride, startPosition: 1) }
    var packed = (0..<rows).flatMap { r in x[(r * stride)..<(r * stride + heads * headDim)] }
    packed.withPointer { table.apply($0, rows: rows, heads: heads, startPosition: 1) }
    for r in 0..<rows {
        #expect(Array(fused[(r * stride)..<(r * stride + heads * headDim)]) == Array(packed[(r * heads * headDim)..<((r + 1) * heads * headDim)]))
        #expect(Array(fused[(r * stride + heads * headDim)..<((r + 1) * stride)]) == Array(x[(r * stride + heads * headDim)..<((r + 1) * stride)]))
    }
}
