import Foundation
import Testing
import ScribaTensor

@Test func layerNormMatchesReference() {
    let rows = 3, dim = 45
    // An offset of 50 checks the two-pass variance (a one-pass E[x²] - E[x]² would lose digits).
    let x = randomFloats(rows * dim, in: -2...2, seed: 4).map { $0 + 50 }
    let weight = randomFloats(dim, in: 0.5...1.5, seed: 5), bias = randomFloats(dim, seed: 6)
    let eps: Float = 1e-5
    var y = [Float](repeating: .nan, count: rows * dim)
    y.withPointer { Norms.layerNorm(x, $0, rows: rows, dim: dim, weight: weight, bias: bias, eps: eps) }
    var reference = [Double]()
    for r in 0..<rows {
        let row = x[(r * dim)..<((r + 1) * dim)].map(Double.init)
        let mean = row.reduce(0, +) / Double(dim)
        let variance = row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(dim)
        for (j, v) in row.enumerated() {
            reference.append((v - mean) / (variance + Double(eps)).squareRoot() * Double(weight[j]) + Double(bias[j]))
        }
    }
    // Outputs are O(1); inputs near 50 carry float32 rounding of ~4e-6 absolute into (x - mean).
    #expect(worstToleranceRatio(y, reference, relative: 1e-5, absolute: 2e-5) <= 1)
}

@Test func layerNormInPlaceWithoutBiasEqualsOutOfPlace() {
    let x = randomFloats(2 * 33, seed: 7), weight = randomFloats(33, seed: 8)
    var outOfPlace = [Float](repeating: 0, count: x.count)
    outOfPlace.withPointer { Norms.layerNorm(x, $0, rows: 2, dim: 33, weight: weight, bias: nil, eps: 1e-6) }
    var inPlace = x
    inPlace.withPointer { Norms.layerNorm($0, $0, rows: 2, dim: 33, weight: weight, bias: nil, eps: 1e-6) }
    #expect(inPlace == outOfPlace)
}

@Test func rmsNormPerHeadMatchesReference() {
    // [seq 3, heads 4, headDim 20] normalised per head, as Qwen3's q_norm/k_norm.
    let seq = 3, heads = 4, headDim = 20, eps: Float = 1e-6
    let x = randomFloats(seq * heads * headDim, in: -3...3, seed: 9), weight = randomFloats(headDim, seed: 10)
    var y = x
    y.withPointer { Norms.rmsNorm($0, $0, rows: seq * heads, dim: headDim, weight: weight, eps: eps) }
    var reference = [Double]()
    for r in 0..<(seq * heads) {
        let row = x[(r * headDim)..<((r + 1) * headDim)].map(Double.init)
        let rms = (row.map { $0 * $0 }.reduce(0, +) / Double(headDim) + Double(eps)).squareRoot()
        for (j, v) in row.enumerated() { reference.append(v / rms * Double(weight[j])) }
    }
    #expect(worstToleranceRatio(y, reference, relative: 1e-5, absolute: 1e-6) <= 1)
}
