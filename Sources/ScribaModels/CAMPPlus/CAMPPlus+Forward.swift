import Foundation
import ScribaTensor

// The CAM++ forward pass for one utterance: [T × 80] fbank → 192-d embedding. Activations are
// channel-major ([channels × T], or [channels × frequency × T] in the FCM head), as PyTorch lays them out,
// so every convolution is ScribaTensor's im2col + SGEMM and every 1×1 conv one SGEMM.

extension CAMPPlus {
    /// The embedding of one utterance from its fbank features [frames × 80] (KaldiFbank), which are
    /// mean-subtracted per bin here as 3D-Speaker does. Needs at least 1 frame.
    public func embedding(fbank: [Float], frames: Int) -> [Float] {
        precondition(frames > 0 && fbank.count == frames * Self.melBins, "CAM++ needs [frames × 80] features")
        let mel = Self.melBins, t = frames
        // Mean over time per bin, then transpose to [80 (height) × T (width)].
        var x = [Float](repeating: 0, count: mel * t)
        for b in 0..<mel {
            var mean: Float = 0
            for f in 0..<t { mean += fbank[f * mel + b] }
            mean /= Float(t)
            for f in 0..<t { x[b * t + f] = fbank[f * mel + b] - mean }
        }
        // FCM head.
        var height = mel
        x = Self.conv2d(x, stem, inChannels: 1, height: height, width: t, kernel: 3, heightStride: 1, relu: true)
        for block in residual {
            let outHeight = (height - 1) / block.stride + 1
            let inner = Self.conv2d(x, block.conv1, inChannels: Self.channels, height: height, width: t, kernel: 3, heightStride: block.stride, relu: true)
            var out = Self.conv2d(inner, block.conv2, inChannels: Self.channels, height: outHeight, width: t, kernel: 3, heightStride: 1, relu: false)
            let shortcut = block.shortcut.map {
                Self.conv2d(x, $0, inChannels: Self.channels, height: height, width: t, kernel: 1, heightStride: block.stride, relu: false)
            } ?? x
            for i in out.indices { out[i] = max(0, out[i] + shortcut[i]) }
            x = out
            height = outHeight
        }
        x = Self.conv2d(x, headOut, inChannels: Self.channels, height: height, width: t, kernel: 3, heightStride: 2, relu: true)
        height = (height - 1) / 2 + 1
        // [32 × 10 × T] is already [320 × T] channel-major (channel c, frequency h → row c·10 + h).
        var channels = Self.channels * height
        // TDNN: k5, stride 2, padding 2.
        let g = Conv1DGeometry(inChannels: channels, outChannels: Self.initChannels, inputLength: t, kernelSize: 5, stride: 2, padding: 2)
        let length = g.outputLength
        x = Self.conv1d(x, tdnn.weight, bias: tdnn.bias, geometry: g)
        for i in x.indices { x[i] = max(0, x[i]) }
        channels = Self.initChannels
        for (index, block) in Self.blocks.enumerated() {
            // Dense block: each layer appends `growth` channels to x.
            x.reserveCapacity((channels + block.layers * Self.growth) * length)
            for layer in layers[index] {
                x += camLayer(x, layer, channels: channels, length: length, dilation: block.dilation)
                channels += Self.growth
            }
            let transit = transits[index]
            let normed = Self.affineReLU(x, transit.norm, channels: channels, length: length)
            x = Self.pointwise(normed, transit.linear, bias: nil, inChannels: channels, outChannels: channels / 2, length: length)
            channels /= 2
        }
        x = Self.affineReLU(x, outNorm, channels: channels, length: length)
        // Mean and unbiased standard deviation over time.
        var stats = [Float](repeating: 0, count: 2 * channels)
        for c in 0..<channels {
            var sum = 0.0
            for i in 0..<length { sum += Double(x[c * length + i]) }
            let mean = sum / Double(length)
            var squares = 0.0
            for i in 0..<length { let d = Double(x[c * length + i]) - mean; squares += d * d }
            stats[c] = Float(mean)
            stats[channels + c] = length > 1 ? Float((squares / Double(length - 1)).squareRoot()) : 1e-2
        }
        return Self.pointwise(stats, dense.weight, bias: dense.bias, inChannels: 2 * channels, outChannels: Self.embeddingSize, length: 1)
    }

    /// One CAM dense layer on x [channels × length]: its 32 new channels [32 × length].
    func camLayer(_ x: [Float], _ w: CAMLayerWeights, channels: Int, length: Int, dilation: Int) -> [Float] {
        let normed = Self.affineReLU(x, w.norm1, channels: channels, length: length)
        var hidden = Self.pointwise(normed, w.linear1.weight, bias: w.linear1.bias, inChannels: channels, outChannels: Self.bottleneck, length: length)
        for i in hidden.indices { hidden[i] = max(0, hidden[i]) }
        let g = Conv1DGeometry(inChannels: Self.bottleneck, outChannels: Self.growth, inputLength: length, kernelSize: 3,
                               padding: dilation, dilation: dilation)
        var local = Self.conv1d(hidden, w.local, bias: nil, geometry: g)
        // Context: the utterance mean plus the mean of the frame's 100-frame segment (the last one shorter).
        let segments = (length + Self.segmentFrames - 1) / Self.segmentFrames
        var context = [Float](repeating: 0, count: Self.bottleneck * segments)
        for c in 0..<Self.bottleneck {
            let row = hidden[(c * length)..<((c + 1) * length)]
            let mean = row.reduce(0, +) / Float(length)
            for s in 0..<segments {
                let first = row.startIndex + s * Self.segmentFrames, end = min(first + Self.segmentFrames, row.endIndex)
                context[c * segments + s] = mean + row[first..<end].reduce(0, +) / Float(end - first)
            }
        }
        var squeezed = Self.pointwise(context, w.context1.weight, bias: w.context1.bias, inChannels: Self.bottleneck, outChannels: Self.bottleneck / 2, length: segments)
        for i in squeezed.indices { squeezed[i] = max(0, squeezed[i]) }
        let gate = Self.pointwise(squeezed, w.context2.weight, bias: w.context2.bias, inChannels: Self.bottleneck / 2, outChannels: Self.growth, length: segments)
        for c in 0..<Self.growth {
            for i in 0..<length {
                local[c * length + i] *= 1 / (1 + exp(-gate[c * segments + i / Self.segmentFrames]))
            }
        }
        return local
    }

    /// max(0, x·scale + shift) per channel over [channels × length].
    static func affineReLU(_ x: [Float], _ a: ChannelAffine, channels: Int, length: Int) -> [Float] {
        var y = [Float](repeating: 0, count: channels * length)
        for c in 0..<channels {
            let scale = a.scale[c], shift = a.shift[c]
            for i in 0..<length { y[c * length + i] = max(0, x[c * length + i] * scale + shift) }
        }
        return y
    }

    /// A 1×1 convolution: out [outChannels × length] = W [out × in] · x [in × length] + bias.
    static func pointwise(_ x: [Float], _ w: [Float], bias: [Float]?, inChannels: Int, outChannels: Int, length: Int) -> [Float] {
        var y = [Float](repeating: 0, count: outChannels * length)
        if let bias { for o in 0..<outChannels { for i in 0..<length { y[o * length + i] = bias[o] } } }
        BLAS.sgemm(m: outChannels, n: length, k: inChannels, a: w, lda: inChannels, b: x, ldb: length,
                   beta: bias == nil ? 0 : 1, c: &y, ldc: length)
        return y
    }

    static func conv1d(_ x: [Float], _ w: [Float], bias: [Float]?, geometry g: Conv1DGeometry) -> [Float] {
        var y = [Float](repeating: 0, count: g.outChannels * g.outputLength)
        var scratch = [Float](repeating: 0, count: g.scratchCount)
        x.withUnsafeBufferPointer { x in
            w.withUnsafeBufferPointer { w in
                scratch.withUnsafeMutableBufferPointer { s in
                    y.withUnsafeMutableBufferPointer { y in
                        if let bias {
                            bias.withUnsafeBufferPointer { b in
                                Conv.conv1d(x.baseAddress!, geometry: g, weight: w.baseAddress!, bias: b.baseAddress!, output: y.baseAddress!, scratch: s)
                            }
                        } else {
                            Conv.conv1d(x.baseAddress!, geometry: g, weight: w.baseAddress!, bias: nil, output: y.baseAddress!, scratch: s)
                        }
                    }
                }
            }
        }
        return y
    }

    /// A square-kernel conv2d (padding kernel/2, time stride 1) with its folded BatchNorm, optionally ReLU.
    static func conv2d(_ x: [Float], _ conv: FoldedConv, inChannels: Int, height: Int, width: Int, kernel: Int,
                       heightStride: Int, relu: Bool) -> [Float] {
        let g = Conv2DGeometry(inChannels: inChannels, outChannels: channels, height: height, width: width,
                               kernelHeight: kernel, kernelWidth: kernel, stride: 1, padding: kernel / 2, heightStride: heightStride)
        var y = [Float](repeating: 0, count: channels * g.outputHeight * g.outputWidth)
        var scratch = [Float](repeating: 0, count: g.scratchCount)
        x.withUnsafeBufferPointer { x in
            conv.weight.withUnsafeBufferPointer { w in
                conv.bias.withUnsafeBufferPointer { b in
                    scratch.withUnsafeMutableBufferPointer { s in
                        y.withUnsafeMutableBufferPointer { y in
                            Conv.conv2d(x.baseAddress!, geometry: g, weight: w.baseAddress!, bias: b.baseAddress!, output: y.baseAddress!, scratch: s)
                        }
                    }
                }
            }
        }
        if relu { for i in y.indices { y[i] = max(0, y[i]) } }
        return y
    }
}
