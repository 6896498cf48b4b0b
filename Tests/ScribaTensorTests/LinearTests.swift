import Testing
import ScribaTensor

private func referenceLinear(_ x: [Float], rows: Int, inF: Int, _ w: [Float], _ b: [Float]?, outF: Int) -> [Double] {
    var y = [Double](repeating: 0, count: rows * outF)
    for r in 0..<rows {
        for o in 0..<outF {
            var s = Double(b?[o] ?? 0)
            for i in 0..<inF { s += Double(x[r * inF + i]) * Double(w[o * inF + i]) }
            y[r * outF + o] = s
        }
    }
    return y
}

@Test(arguments: [1, 7])
func linearMatchesReference(rows: Int) {
    // rows = 1 takes the GEMV path, 7 the GEMM path; sizes are not multiples of 16.
    let inF = 37, outF = 29
    let x = randomFloats(rows * inF, seed: 31), w = randomFloats(outF * inF, seed: 32), b = randomFloats(outF, seed: 33)
    let withBias = Tensor(shape: [rows, inF], data: x).linear(weight: Tensor(shape: [outF, inF], data: w), bias: Tensor(shape: [outF], data: b))
    let noBias = Tensor(shape: [rows, inF], data: x).linear(weight: Tensor(shape: [outF, inF], data: w))
    #expect(withBias.shape == [rows, outF])
    // Sums of 37 products of values in [-1, 1]: float32 accumulation error stays below 1e-5 absolute.
    #expect(worstToleranceRatio(withBias.data, referenceLinear(x, rows: rows, inF: inF, w, b, outF: outF), relative: 1e-5, absolute: 1e-5) <= 1)
    #expect(worstToleranceRatio(noBias.data, referenceLinear(x, rows: rows, inF: inF, w, nil, outF: outF), relative: 1e-5, absolute: 1e-5) <= 1)
}
