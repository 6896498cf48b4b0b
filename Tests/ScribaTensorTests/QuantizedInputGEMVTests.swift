import Testing
import ScribaTensor

// The VNNI path of GEMV.multiply: int8 weights times inputs quantised to int16 per block of 128 (or
// 64, 32) columns. Checked against the same arithmetic done in Double, so the kernel's integer
// sums, blocks and group scales must be exact up to float rounding.

/// Block-wise quantisation as the kernel does it: scale = max|x| / 32767 (f32), q = round-half-even(x · 32767 / max|x|) in Double.
private func quantizedInput(_ x: ArraySlice<Float>, block: Int) -> (q: [Int], scales: [Double]) {
    var q: [Int] = [], scales: [Double] = []
    let values = Array(x)
    for start in stride(from: 0, to: values.count, by: block) {
        let chunk = values[start..<(start + block)]
        let amax = chunk.map { abs($0) }.max()!
        let inverse = amax > 0 ? 32767 / Double(amax) : 0
        scales.append(Double(amax / 32767))
        q += chunk.map { Int(max(-32767, min(32767, (Double($0) * inverse).rounded(.toNearestOrEven)))) }
    }
    return (q, scales)
}

/// y = Σ_c w_deq[r, c] · (q_x[c] · scale_x[block(c)]) + b in Double, and Σ|terms| for the rounding bound.
private func expected(_ w: WeightMatrix, x: [Float], inputs: Int, bias: [Float]?, block: Int) -> (y: [Double], magnitude: [Double]) {
    let cols = w.cols
    var y = [Double](repeating: 0, count: inputs * w.rows), magnitude = y
    for i in 0..<inputs {
        let (q, scales) = quantizedInput(x[(i * cols)..<((i + 1) * cols)], block: block)
        for r in 0..<w.rows {
            let row = w.dequantizedRow(r)
            var s = Double(bias?[r] ?? 0), m = abs(s)
            for c in 0..<cols {
                let p = Double(row[c]) * Double(q[c]) * scales[c / block]
                s += p
                m += abs(p)
            }
            y[i * w.rows + r] = s
            magnitude[i * w.rows + r] = m
        }
    }
    return (y, magnitude)
}

@Suite(.enabled(if: GEMV.quantizesInt8Inputs, "quantised inputs need a build for a CPU with AVX-512 VNNI"))
struct QuantizedInputGEMVTests {
    /// (weight group, input block, columns): groups of one block, per-row scales (several blocks per
    /// group), 64- and 32-column blocks, and groups of four 32-column blocks with a partial last group.
    @Test(arguments: [(128, 128, 384), (nil, 128, 384), (64, 64, 192), (32, 32, 160), (128, 32, 160)] as [(Int?, Int, Int)], [1, 3])
    func matchesQuantisedArithmetic(layout: (groupSize: Int?, block: Int, cols: Int), inputs: Int) throws {
        let (groupSize, block, cols) = layout
        // 37 rows: nine four-row tiles and one single row.
        let rows = 37
        let w = try WeightMatrix(rows: rows, cols: cols, values: randomFloats(rows * cols, in: -0.3...0.3, seed: 501),
                                 precision: .int8(groupSize: groupSize))
        let x = randomFloats(inputs * cols, in: -4...4, seed: 502), b = randomFloats(rows, seed: 503)
        let y = GEMV.multiply(w, x: x, bias: b, pool: nil)
        let ref = expected(w, x: x, inputs: inputs, bias: b, block: block)
        for k in y.indices {
            // Integer dot products are exact; the float part is a few roundings per block.
            let bound = Double(cols / block + 8) * 0x1p-23 * ref.magnitude[k] + 1e-30
            #expect(abs(Double(y[k]) - ref.y[k]) <= bound, "output \(k): \(y[k]) vs \(ref.y[k])")
        }
    }

    @Test func inputRoundingStaysWithinHalfAStepPerValue() throws {
        // Against the unquantised input: each x moves by at most scale_x / 2, so
        // |y − y_float| ≤ Σ_c |w_c| · scale_x(c) / 2 (plus float rounding).
        let rows = 16, cols = 256
        let w = try WeightMatrix(rows: rows, cols: cols, values: randomFloats(rows * cols, seed: 511), precision: .int8(groupSize: 128))
        var x = randomFloats(cols, seed: 512)
        x[5] = 40  // an outlier coarsens only its own block's steps
        let y = GEMV.multiply(w, x: x, pool: nil)
        let (_, scales) = quantizedInput(x[...], block: 128)
        for r in 0..<rows {
            let row = w.dequantizedRow(r)
            var exact = 0.0, bound = 1e-4
            for c in 0..<cols {
                exact += Double(row[c]) * Double(x[c])
                bound += abs(Double(row[c])) * scales[c / 128] / 2
            }
            #expect(abs(Double(y[r]) - exact) <= bound)
        }
        #expect(scales[0] > 20 * scales[1])
    }

    @Test(arguments: [WeightPrecision.int8(), .int8(groupSize: 128)], [1, 5])
    func threadedAndBatchedResultsAreBitIdentical(precision: WeightPrecision, inputs: Int) throws {
        // 1001 × 256: above the parallel threshold, rows off the four-row grid.
        let rows = 1001, cols = 256
        let w = try WeightMatrix(rows: rows, cols: cols, values: randomFloats(rows * cols, seed: 521), precision: precision)
        let x = randomFloats(inputs * cols, seed: 522), b = randomFloats(rows, seed: 523)
        let single = GEMV.multiply(w, x: x, bias: b, pool: nil)
        let pool = ThreadPool(threads: 2)
        for _ in 0..<3 { #expect(GEMV.multiply(w, x: x, bias: b, pool: pool) == single) }
        for i in 0..<inputs {
            let one = GEMV.multiply(w, x: Array(x[(i * cols)..<((i + 1) * cols)]), bias: b, pool: pool)
            #expect(one == Array(single[(i * rows)..<((i + 1) * rows)]))
        }
    }

    @Test func aRowGivesTheSameBitsInAFourRowTileAndAlone() throws {
        // Rows 0–3 form a tile, row 4 runs alone; row 4 holds row 0's weights.
        let cols = 256
        var values = randomFloats(5 * cols, seed: 541)
        values.replaceSubrange((4 * cols)..<(5 * cols), with: values[0..<cols])
        for precision in [WeightPrecision.int8(), .int8(groupSize: 128)] {
            let w = try WeightMatrix(rows: 5, cols: cols, values: values, precision: precision)
            let y = GEMV.multiply(w, x: randomFloats(2 * cols, seed: 542), pool: nil)
            #expect(y[4] == y[0] && y[9] == y[5], "\(precision): \(y[0]) \(y[4]), \(y[5]) \(y[9])")
        }
    }

    @Test func aNaNOrInfiniteInputMakesItsOutputsNaN() throws {
        let rows = 8, cols = 256
        let w = try WeightMatrix(rows: rows, cols: cols, values: randomFloats(rows * cols, seed: 551), precision: .int8(groupSize: 128))
        for bad in [Float.nan, .infinity, -.infinity] {
            var x = randomFloats(cols, seed: 552)
            x[200] = bad
            let y = GEMV.multiply(w, x: x, pool: nil)
            #expect(y.allSatisfy { $0.isNaN }, "input \(bad)")
        }
    }

    @Test func zeroAndExtremeInputsGiveFiniteExactResults() throws {
        let rows = 8, cols = 128
        let w = try WeightMatrix(rows: rows, cols: cols, values: randomFloats(rows * cols, seed: 531), precision: .int8(groupSize: 128))
        let b = randomFloats(rows, seed: 532)
        // An all-zero input block has scale 0: the output is the bias, exactly.
        #expect(GEMV.multiply(w, x: [Float](repeating: 0, count: cols), bias: b, pool: nil) == b)
        // ±1e30 everywhere: q = ±32767 with no overflow in the integer sums.
        let big = (0..<cols).map { $0 % 2 == 0 ? Float(1e30) : -1e30 }
        let y = GEMV.multiply(w, x: big, pool: nil)
        let ref = expected(w, x: big, inputs: 1, bias: nil, block: 128)
        for r in 0..<rows {
            #expect(y[r].isFinite)
            #expect(abs(Double(y[r]) - ref.y[r]) <= 1e-5 * ref.magnitude[r])
        }
    }
}
