import Testing
@testable import ScribaTensor

// `Linear.forward` over a `WeightMatrix`: the GEMV path (≤ gemvMaxRows rows) and the GEMM path (f32
// in place, or dequantised tiles) must compute x · Wᵀ + b with the weights the matrix holds, and
// `accumulate` must add onto the output. Reference: a plain double-precision loop over
// `dequantizedRow`, so storage rounding is not counted as error. Where oneDNN multiplies many rows
// in bf16 / int8, the reference takes the input and weights as that product sees them (x rounded to
// bf16, or quantised per row for per-row int8; group-int8 weights rounded to bf16), so only the
// arithmetic is checked here; what the rounding costs is measured on the models (docs/benchmarks.md).

private func pseudoRandom(_ count: Int, seed: UInt64) -> [Float] {
    var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
    return (0..<count).map { _ in
        state ^= state << 13; state ^= state >> 7; state ^= state << 17
        return Float(Int(state % 2001) - 1000) / 1000
    }
}

/// x and the weight rows as the product for `rows` rows multiplies them.
private func operandsAsMultiplied(_ w: WeightMatrix, x: [Float], rows: Int) -> (x: [Float], weights: [[Float]]) {
    let dense = (0..<w.rows).map { w.dequantizedRow($0) }
    guard OneDNN.isAvailable, rows > Linear.gemvMaxRows, w.precision != .f32 else { return (x, dense) }
    let bf16 = { (v: [Float]) in v.map { BFloat16($0).floatValue } }
    if case .int8(nil) = w.precision {
        var quantised = [Float](repeating: 0, count: x.count)
        for r in 0..<rows {
            let row = x[(r * w.cols)..<((r + 1) * w.cols)]
            // As Int8Quantization rounds: q = round(x · (1 / scale)), ties to even.
            let scale = (row.map(abs).max() ?? 0) / 127
            let inverse: Float = scale > 0 ? 1 / scale : 0
            for c in 0..<w.cols {
                quantised[r * w.cols + c] = min(max((row[r * w.cols + c] * inverse).rounded(.toNearestOrEven), -127), 127) * scale
            }
        }
        return (quantised, dense)
    }
    return (bf16(x), w.precision == .bf16 ? dense : dense.map(bf16))
}

private func reference(_ w: WeightMatrix, x: [Float], rows: Int, bias: [Float]?) -> [Float] {
    let (x, dense) = operandsAsMultiplied(w, x: x, rows: rows)
    var y = [Float](repeating: 0, count: rows * w.rows)
    for r in 0..<rows {
        for o in 0..<w.rows {
            var sum = Double(bias?[o] ?? 0)
            for c in 0..<w.cols { sum += Double(x[r * w.cols + c]) * Double(dense[o][c]) }
            y[r * w.rows + o] = Float(sum)
        }
    }
    return y
}

private func run(_ w: WeightMatrix, x: [Float], rows: Int, bias: [Float]?, start: [Float]?, scratch: LinearScratch) -> [Float] {
    var y = start ?? [Float](repeating: .nan, count: rows * w.rows)
    x.withUnsafeBufferPointer { xb in
        y.withUnsafeMutableBufferPointer { yb in
            if let bias {
                bias.withUnsafeBufferPointer {
                    Linear.forward(xb.baseAddress!, rows: rows, weight: w, bias: $0.baseAddress, output: yb.baseAddress!,
                                   accumulate: start != nil, scratch: scratch)
                }
            } else {
                Linear.forward(xb.baseAddress!, rows: rows, weight: w, bias: nil, output: yb.baseAddress!,
                               accumulate: start != nil, scratch: scratch)
            }
        }
    }
    return y
}

@Test(arguments: [WeightPrecision.f32, .bf16, .int8(groupSize: 32), .int8(groupSize: nil)], [1, 3, 37])
func linearOverWeightMatrixMatchesDenseReference(precision: WeightPrecision, rows: Int) throws {
    // 1100 output rows × 1000 columns: more than one dequantised tile (1 Mi elements / 1000 cols = 1048 rows).
    let out = 1100, cols = 1000
    let w = try WeightMatrix(rows: out, cols: cols, values: pseudoRandom(out * cols, seed: 7), precision: precision)
    let x = pseudoRandom(rows * cols, seed: 11)
    let bias = pseudoRandom(out, seed: 13)
    let scratch = LinearScratch()
    let expected = reference(w, x: x, rows: rows, bias: bias)
    let y = run(w, x: x, rows: rows, bias: bias, start: nil, scratch: scratch)
    let worst = zip(y, expected).map { abs($0 - $1) }.max() ?? .infinity
    // Sums of 1000 products of magnitude ≤ 1: f32 accumulation error stays far below 1e-3.
    #expect(worst < 1e-3, "max |Δ| \(worst) for \(precision), \(rows) rows")

    // Accumulating adds x · Wᵀ + b onto what is there.
    let start = pseudoRandom(rows * out, seed: 17)
    let accumulated = run(w, x: x, rows: rows, bias: bias, start: start, scratch: scratch)
    let worstAccumulated = (0..<(rows * out)).map { abs(accumulated[$0] - (start[$0] + expected[$0])) }.max() ?? .infinity
    #expect(worstAccumulated < 1e-3, "accumulate: max |Δ| \(worstAccumulated) for \(precision), \(rows) rows")
}

@Test(arguments: [WeightPrecision.f32, .bf16, .int8(groupSize: 16)])
func dequantizeRowsEqualsDequantizedRow(precision: WeightPrecision) throws {
    let w = try WeightMatrix(rows: 9, cols: 40, values: pseudoRandom(360, seed: 3), precision: precision)
    var tile = [Float](repeating: .nan, count: 4 * 40)
    tile.withUnsafeMutableBufferPointer { w.dequantizeRows(3..<7, into: $0.baseAddress!) }
    for (i, row) in (3..<7).enumerated() {
        #expect(Array(tile[(i * 40)..<((i + 1) * 40)]) == w.dequantizedRow(row))
    }
    var one = [Float](repeating: .nan, count: 40)
    one.withUnsafeMutableBufferPointer { w.copyRow(8, into: $0.baseAddress!) }
    #expect(one == w.dequantizedRow(8))
    #expect((w.withF32Values { $0[0] } != nil) == (precision == .f32))
}

@Test func rowSourceStacksTensorsLikeOneMatrix() throws {
    // Two bf16 "tensors" of 3 and 2 rows stacked through rowBytes equal the 5-row bytes init.
    let values = pseudoRandom(5 * 24, seed: 5)
    var bits = [UInt16](repeating: 0, count: values.count)
    values.withUnsafeBufferPointer { v in bits.withUnsafeMutableBufferPointer { BFloat16.convert(v.baseAddress!, to: $0.baseAddress!, count: v.count) } }
    let top = Array(bits[0..<72]), bottom = Array(bits[72...])
    for precision in [WeightPrecision.bf16, .f32, .int8(groupSize: 16)] {
        let whole = try bits.withUnsafeBytes { try WeightMatrix(rows: 5, cols: 24, bytes: $0, type: .bf16, precision: precision) }
        let stacked = try top.withUnsafeBytes { t in
            try bottom.withUnsafeBytes { b in
                try WeightMatrix(rows: 5, cols: 24, type: .bf16, precision: precision) { r in
                    r < 3 ? t.baseAddress! + r * 48 : b.baseAddress! + (r - 3) * 48
                }
            }
        }
        for r in 0..<5 { #expect(stacked.dequantizedRow(r) == whole.dequantizedRow(r), "\(precision) row \(r)") }
        #expect(stacked.byteCount == whole.byteCount)
    }
}

@Test func precisionArgumentsParse() {
    #expect(WeightPrecision(argument: "bf16") == .bf16)
    #expect(WeightPrecision(argument: "F32") == .f32)
    #expect(WeightPrecision(argument: "int8") == .int8(groupSize: 128))
    #expect(WeightPrecision(argument: "int8-row") == .int8(groupSize: nil))
    #expect(WeightPrecision(argument: "int4") == nil)
}
