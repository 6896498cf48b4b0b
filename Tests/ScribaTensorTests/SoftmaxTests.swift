import Foundation
import Testing
import ScribaTensor

@Test func softmaxRowsMatchReferenceAndSumToOne() {
    let rows = 5, cols = 41
    // Scale by 30 so exponents span many orders of magnitude; one row is shifted by +1000 to
    // check that the maximum is subtracted (a naive exp would overflow).
    var x = randomFloats(rows * cols, in: -30...30, seed: 3)
    for j in 0..<cols { x[2 * cols + j] += 1000 }
    var reference = [Double]()
    for r in 0..<rows {
        let row = x[(r * cols)..<((r + 1) * cols)].map(Double.init)
        let m = row.max()!
        let e = row.map { exp($0 - m) }
        let s = e.reduce(0, +)
        reference += e.map { $0 / s }
    }
    let y = Tensor(shape: [rows, cols], data: x).softmaxLastDimension()
    #expect(worstToleranceRatio(y.data, reference, relative: 1e-5, absolute: 1e-30) <= 1)
    for r in 0..<rows { #expect(abs(y.row(r).reduce(0, +) - 1) < 1e-5) }
}

@Test func fullyMaskedRowBecomesZeros() {
    var x = [Float](repeating: -.infinity, count: 19)
    x.withPointer { Softmax.row($0, count: 19) }
    #expect(x == [Float](repeating: 0, count: 19))
}
