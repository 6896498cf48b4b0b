// The audio stems: Whisper base's two conv1d layers over a 30 s window, and Qwen3-ASR's three
// 3×3/stride-2 conv2d layers over one 2 s chunk (128 mel × 200 frames, 480 channels).

import ScribaTensor

struct ConvBenchmark: Benchmark {
    let name = "conv"
    let summary = "im2col+sgemm conv stems: Whisper base conv1d pair (3000 frames), Qwen3-ASR conv2d x3 (one 200-frame chunk)"

    func run() {
        print("conv stems (BLAS threads as set: \(BLAS.threads)), median of 5 runs after 1 warm-up")
        let whisper1 = Conv1DGeometry(inChannels: 80, outChannels: 512, inputLength: 3000, kernelSize: 3, stride: 1, padding: 1)
        let whisper2 = Conv1DGeometry(inChannels: 512, outChannels: 512, inputLength: 3000, kernelSize: 3, stride: 2, padding: 1)
        let mel = [Float](repeating: 0.1, count: 80 * 3000)
        let w1 = [Float](repeating: 0.01, count: 512 * 80 * 3), w2 = [Float](repeating: 0.01, count: 512 * 512 * 3)
        let bias = [Float](repeating: 0, count: 512)
        var hidden = [Float](repeating: 0, count: 512 * 3000), out = [Float](repeating: 0, count: 512 * 1500)
        var scratch = [Float](repeating: 0, count: max(whisper1.scratchCount, whisper2.scratchCount))
        let whisperMACs: Int = 512 * 80 * 3 * 3000 + 512 * 512 * 3 * 1500
        let flopsWhisper = 2 * Double(whisperMACs)
        let whisperSeconds = Timing.medianSeconds(runs: 5) {
            hidden.withUnsafeMutableBufferPointer { h in
                scratch.withUnsafeMutableBufferPointer { s in
                    Conv.conv1d(mel, geometry: whisper1, weight: w1, bias: bias, output: h.baseAddress!, scratch: s)
                    out.withUnsafeMutableBufferPointer { o in
                        Conv.conv1d(h.baseAddress!, geometry: whisper2, weight: w2, bias: bias, output: o.baseAddress!, scratch: s)
                    }
                }
            }
        }
        line("whisper-base conv1d x2", whisperSeconds, flopsWhisper)

        let c = 480
        let q1 = Conv2DGeometry(inChannels: 1, outChannels: c, height: 128, width: 200, stride: 2, padding: 1)
        let q2 = Conv2DGeometry(inChannels: c, outChannels: c, height: q1.outputHeight, width: q1.outputWidth, stride: 2, padding: 1)
        let q3 = Conv2DGeometry(inChannels: c, outChannels: c, height: q2.outputHeight, width: q2.outputWidth, stride: 2, padding: 1)
        let image = [Float](repeating: 0.1, count: 128 * 200)
        let k1 = [Float](repeating: 0.01, count: c * 9), k2 = [Float](repeating: 0.01, count: c * c * 9)
        let b2 = [Float](repeating: 0, count: c)
        var a1 = [Float](repeating: 0, count: c * q1.outputHeight * q1.outputWidth)
        var a2 = [Float](repeating: 0, count: c * q2.outputHeight * q2.outputWidth)
        var a3 = [Float](repeating: 0, count: c * q3.outputHeight * q3.outputWidth)
        var scratch2 = [Float](repeating: 0, count: max(q1.scratchCount, q2.scratchCount, q3.scratchCount))
        var flopsQwen = 0.0
        for g in [q1, q2, q3] {
            let macs: Int = g.outChannels * g.inChannels * 9 * g.outputHeight * g.outputWidth
            flopsQwen += 2 * Double(macs)
        }
        let qwenSeconds = Timing.medianSeconds(runs: 5) {
            scratch2.withUnsafeMutableBufferPointer { s in
                a1.withUnsafeMutableBufferPointer { p1 in
                    a2.withUnsafeMutableBufferPointer { p2 in
                        a3.withUnsafeMutableBufferPointer { p3 in
                            Conv.conv2d(image, geometry: q1, weight: k1, bias: b2, output: p1.baseAddress!, scratch: s)
                            Conv.conv2d(p1.baseAddress!, geometry: q2, weight: k2, bias: b2, output: p2.baseAddress!, scratch: s)
                            Conv.conv2d(p2.baseAddress!, geometry: q3, weight: k2, bias: b2, output: p3.baseAddress!, scratch: s)
                        }
                    }
                }
            }
        }
        line("qwen3-asr conv2d x3 (2 s)", qwenSeconds, flopsQwen)
    }

    private func line(_ label: String, _ seconds: Double, _ flops: Double) {
        print("  \(Format.padded(label, 26))  \(Format.padded(Format.fixed(seconds * 1000, digits: 2), 8)) ms  "
              + "\(Format.padded(Format.fixed(flops / seconds / 1e9, digits: 1), 6)) GFLOP/s")
    }
}
