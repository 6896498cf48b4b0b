import Testing
import ScribaTensor

@Test(arguments: [1, 2])
func conv1dMatchesNaiveLoops(stride: Int) {
    // Whisper's stem shape in miniature: kernel 3, padding 1, stride 1 then 2; odd lengths.
    let g = Conv1DGeometry(inChannels: 5, outChannels: 7, inputLength: 23, kernelSize: 3, stride: stride, padding: 1)
    #expect(g.outputLength == (stride == 1 ? 23 : 12))  // (23 + 2 - 3) / s + 1
    let x = randomFloats(5 * 23, seed: 41), w = randomFloats(7 * 5 * 3, seed: 42), b = randomFloats(7, seed: 43)
    var y = [Float](repeating: .nan, count: 7 * g.outputLength)
    var scratch = [Float](repeating: .nan, count: g.scratchCount)
    y.withPointer { yp in scratch.withUnsafeMutableBufferPointer { Conv.conv1d(x, geometry: g, weight: w, bias: b, output: yp, scratch: $0) } }
    var reference = [Double]()
    for o in 0..<7 {
        for t in 0..<g.outputLength {
            var s = Double(b[o])
            for c in 0..<5 {
                for j in 0..<3 {
                    let p = t * stride + j - 1
                    if p >= 0 && p < 23 { s += Double(w[(o * 5 + c) * 3 + j]) * Double(x[c * 23 + p]) }
                }
            }
            reference.append(s)
        }
    }
    #expect(worstToleranceRatio(y, reference, relative: 1e-5, absolute: 1e-5) <= 1)
}

/// With a bf16 copy of the kernel the product runs on oneDNN in bf16 (where present): the naive
/// loops over the kernel and input rounded to bf16 are then the reference; without oneDNN the f32
/// kernel is used as it is.
@Test(arguments: [false, true])
func conv2dStride2MatchesNaiveLoops(bf16Kernel: Bool) throws {
    // Qwen3-ASR stem shape in miniature: 3×3, stride 2, padding 1, 3 → 4 channels, 9×13 input.
    let g = Conv2DGeometry(inChannels: 3, outChannels: 4, height: 9, width: 13, stride: 2, padding: 1)
    #expect(g.outputHeight == 5 && g.outputWidth == 7)  // (9 + 2 - 3) / 2 + 1, (13 + 2 - 3) / 2 + 1
    var x = randomFloats(3 * 9 * 13, seed: 44), w = randomFloats(4 * 3 * 9, seed: 45)
    let b = randomFloats(4, seed: 46)
    let kernel = bf16Kernel ? try WeightMatrix(rows: 4, cols: 27, values: w, precision: .bf16) : nil
    var y = [Float](repeating: .nan, count: 4 * 5 * 7)
    var scratch = [Float](repeating: .nan, count: g.scratchCount)
    y.withPointer { yp in
        scratch.withUnsafeMutableBufferPointer {
            Conv.conv2d(x, geometry: g, weight: w, bias: b, output: yp, scratch: $0, lowPrecisionWeight: kernel, linearScratch: LinearScratch())
        }
    }
    if bf16Kernel && OneDNN.isAvailable {
        x = x.map { BFloat16($0).floatValue }
        w = w.map { BFloat16($0).floatValue }
    }
    var reference = [Double]()
    for o in 0..<4 {
        for oy in 0..<5 {
            for ox in 0..<7 {
                var s = Double(b[o])
                for c in 0..<3 {
                    for a in 0..<3 {
                        for bb in 0..<3 {
                            let iy = oy * 2 + a - 1, ix = ox * 2 + bb - 1
                            guard iy >= 0, iy < 9, ix >= 0, ix < 13 else { continue }
                            s += Double(w[((o * 3 + c) * 3 + a) * 3 + bb]) * Double(x[(c * 9 + iy) * 13 + ix])
                        }
                    }
                }
                reference.append(s)
            }
        }
    }
    #expect(worstToleranceRatio(y, reference, relative: 1e-5, absolute: 1e-5) <= 1)
}

/// CAM++'s shape in miniature (3×3, padding 1, time stride 1, frequency stride 2), computed in bands of
/// output rows as CAM++ does: every band lands where the whole-plane call puts it.
@Test(arguments: [1, 2])
func conv2dInRowBandsMatchesNaiveLoops(heightStride: Int) {
    let g = Conv2DGeometry(inChannels: 3, outChannels: 4, height: 9, width: 11, stride: 1, padding: 1, heightStride: heightStride)
    #expect(g.outputHeight == (heightStride == 1 ? 9 : 5) && g.outputWidth == 11)
    let x = randomFloats(3 * 9 * 11, seed: 47), w = randomFloats(4 * 3 * 9, seed: 48), b = randomFloats(4, seed: 49)
    let outH = g.outputHeight
    var y = [Float](repeating: .nan, count: 4 * outH * 11)
    var scratch = [Float](repeating: .nan, count: g.scratchCount(rows: 2))
    y.withPointer { yp in
        scratch.withUnsafeMutableBufferPointer { s in
            for first in stride(from: 0, to: outH, by: 2) {
                Conv.conv2d(x, geometry: g, weight: w, bias: b, output: yp, scratch: s, outputRows: first..<(first + 2))
            }
        }
    }
    var reference = [Double]()
    for o in 0..<4 {
        for oy in 0..<outH {
            for ox in 0..<11 {
                var s = Double(b[o])
                for c in 0..<3 {
                    for a in 0..<3 {
                        for bb in 0..<3 {
                            let iy = oy * heightStride + a - 1, ix = ox + bb - 1
                            guard iy >= 0, iy < 9, ix >= 0, ix < 11 else { continue }
                            s += Double(w[((o * 3 + c) * 3 + a) * 3 + bb]) * Double(x[(c * 9 + iy) * 11 + ix])
                        }
                    }
                }
                reference.append(s)
            }
        }
    }
    #expect(worstToleranceRatio(y, reference, relative: 1e-5, absolute: 1e-5) <= 1)
}
