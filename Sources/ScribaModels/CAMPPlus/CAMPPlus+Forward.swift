import Foundation
import ScribaTensor

// The CAM++ forward pass for one utterance: [T × 80] fbank → 192-d embedding. Activations are
// channel-major ([channels × T], or [channels × frequency × T] in the FCM head), as PyTorch lays them out,
// so every convolution is ScribaTensor's im2col + SGEMM and every 1×1 conv one SGEMM. All working memory
// lives in a `CAMPPlus.Scratch` that a caller keeps per thread: a diarization run makes thousands of
// embeddings, and fresh arrays for each layer cost more in page faults than the layers themselves.

extension CAMPPlus {
    /// Working memory for one embedding at a time; grows to the longest utterance seen, then is reused.
    /// Not for two threads at once.
    public final class Scratch: @unchecked Sendable {
        let planes = (0..<4).map { _ in ScratchBuffer(1) }    // FCM head activations [32 × H × T]
        let columns = ScratchBuffer(1)                         // im2col of one conv (a band of rows in the head)
        let dense = ScratchBuffer(1)                           // a dense block's growing [channels × L]
        let normed = ScratchBuffer(1)                          // BN + ReLU of `dense`
        let hidden = ScratchBuffer(1)                          // a CAM layer's bottleneck [128 × L]

        public init() {}
    }

    /// Output positions per band of a head convolution: the band's im2col ([288 × positions]) stays
    /// within a core's L2.
    static let bandPositions = 768

    /// The embedding of one utterance from its fbank features [frames × 80] (KaldiFbank), which are
    /// mean-subtracted per bin here as 3D-Speaker does. Needs at least 1 frame.
    public func embedding(fbank: [Float], frames: Int) -> [Float] {
        fbank.withUnsafeBufferPointer { embedding(fbank: $0.baseAddress!, frames: frames, scratch: Scratch()) }
    }

    /// The same with caller-owned working memory (`fbank` holds [frames × 80]).
    public func embedding(fbank: UnsafePointer<Float>, frames: Int, scratch s: Scratch) -> [Float] {
        precondition(frames > 0, "CAM++ needs at least one fbank frame")
        let mel = Self.melBins, t = frames, c = Self.channels
        let largest = c * mel * t
        for plane in s.planes { plane.reserve(largest) }
        var x = s.planes[0].pointer, inner = s.planes[1].pointer, out = s.planes[2].pointer, shortcut = s.planes[3].pointer
        // Mean over time per bin, then transpose to [80 (height) × T (width)].
        for b in 0..<mel {
            var mean: Float = 0
            for f in 0..<t { mean += fbank[f * mel + b] }
            mean /= Float(t)
            for f in 0..<t { shortcut[b * t + f] = fbank[f * mel + b] - mean }
        }
        // FCM head.
        var height = mel
        conv2d(shortcut, stem, inChannels: 1, height: height, width: t, kernel: 3, heightStride: 1, relu: true, into: x, scratch: s)
        for block in residual {
            let outHeight = (height - 1) / block.stride + 1
            conv2d(x, block.conv1, inChannels: c, height: height, width: t, kernel: 3, heightStride: block.stride, relu: true, into: inner, scratch: s)
            conv2d(inner, block.conv2, inChannels: c, height: outHeight, width: t, kernel: 3, heightStride: 1, relu: false, into: out, scratch: s)
            if let projection = block.shortcut {
                conv2d(x, projection, inChannels: c, height: height, width: t, kernel: 1, heightStride: block.stride, relu: false, into: shortcut, scratch: s)
            }
            let residualInput = block.shortcut == nil ? x : shortcut
            for i in 0..<(c * outHeight * t) { out[i] = max(0, out[i] + residualInput[i]) }
            swap(&x, &out)
            height = outHeight
        }
        conv2d(x, headOut, inChannels: c, height: height, width: t, kernel: 3, heightStride: 2, relu: true, into: out, scratch: s)
        height = (height - 1) / 2 + 1
        // [32 × 10 × T] is already [320 × T] channel-major (channel c, frequency h → row c·10 + h).
        // TDNN: k5, stride 2, padding 2.
        let g = Conv1DGeometry(inChannels: c * height, outChannels: Self.initChannels, inputLength: t, kernelSize: 5, stride: 2, padding: 2)
        let length = g.outputLength
        let widest = Self.blocks.indices.map { denseWidth($0) }.max()!
        s.dense.reserve(widest * length)
        s.normed.reserve(widest * length)
        s.hidden.reserve(Self.bottleneck * length)
        let dense = s.dense.pointer
        conv1d(out, tdnn.weight, bias: tdnn.bias, geometry: g, into: dense, scratch: s)
        for i in 0..<(Self.initChannels * length) { dense[i] = max(0, dense[i]) }
        var channels = Self.initChannels
        for (index, block) in Self.blocks.enumerated() {
            // Dense block: each layer appends `growth` channels to the block's rows.
            for layer in layers[index] {
                camLayer(dense, layer, channels: channels, length: length, dilation: block.dilation, scratch: s)
                channels += Self.growth
            }
            let transit = transits[index]
            Self.affineReLU(dense, transit.norm, channels: channels, length: length, into: s.normed.pointer)
            Self.pointwise(s.normed.pointer, transit.linear, bias: nil, inChannels: channels, outChannels: channels / 2, length: length, into: dense)
            channels /= 2
        }
        Self.affineReLU(dense, outNorm, channels: channels, length: length, into: s.normed.pointer)
        // Mean and unbiased standard deviation over time.
        let pooled = s.normed.pointer
        var stats = [Float](repeating: 0, count: 2 * channels)
        for c in 0..<channels {
            var sum = 0.0
            for i in 0..<length { sum += Double(pooled[c * length + i]) }
            let mean = sum / Double(length)
            var squares = 0.0
            for i in 0..<length { let d = Double(pooled[c * length + i]) - mean; squares += d * d }
            stats[c] = Float(mean)
            stats[channels + c] = length > 1 ? Float((squares / Double(length - 1)).squareRoot()) : 1e-2
        }
        var embedding = [Float](repeating: 0, count: Self.embeddingSize)
        stats.withUnsafeBufferPointer { stats in
            embedding.withUnsafeMutableBufferPointer { e in
                Self.pointwise(stats.baseAddress!, self.dense.weight, bias: self.dense.bias, inChannels: 2 * channels, outChannels: Self.embeddingSize, length: 1, into: e.baseAddress!)
            }
        }
        return embedding
    }

    /// Channels of dense block `index` after its last layer (before the transit halves them).
    func denseWidth(_ index: Int) -> Int {
        var channels = Self.initChannels
        for b in 0..<index { channels = (channels + Self.blocks[b].layers * Self.growth) / 2 }
        return channels + Self.blocks[index].layers * Self.growth
    }

    /// One CAM dense layer on x [channels × length]: appends its 32 new channels as rows
    /// channels ..< channels + 32 of x.
    func camLayer(_ x: UnsafeMutablePointer<Float>, _ w: CAMLayerWeights, channels: Int, length: Int, dilation: Int, scratch s: Scratch) {
        let normed = s.normed.pointer, hidden = s.hidden.pointer, local = x + channels * length
        Self.affineReLU(x, w.norm1, channels: channels, length: length, into: normed)
        Self.pointwise(normed, w.linear1.weight, bias: w.linear1.bias, inChannels: channels, outChannels: Self.bottleneck, length: length, into: hidden)
        for i in 0..<(Self.bottleneck * length) { hidden[i] = max(0, hidden[i]) }
        let g = Conv1DGeometry(inChannels: Self.bottleneck, outChannels: Self.growth, inputLength: length, kernelSize: 3,
                               padding: dilation, dilation: dilation)
        conv1d(hidden, w.local, bias: nil, geometry: g, into: local, scratch: s)
        // Context: the utterance mean plus the mean of the frame's 100-frame segment (the last one shorter).
        let segments = (length + Self.segmentFrames - 1) / Self.segmentFrames
        var context = [Float](repeating: 0, count: Self.bottleneck * segments)
        for c in 0..<Self.bottleneck {
            let row = hidden + c * length
            var total: Float = 0
            for i in 0..<length { total += row[i] }
            let mean = total / Float(length)
            for segment in 0..<segments {
                let first = segment * Self.segmentFrames, end = min(first + Self.segmentFrames, length)
                var sum: Float = 0
                for i in first..<end { sum += row[i] }
                context[c * segments + segment] = mean + sum / Float(end - first)
            }
        }
        var squeezed = [Float](repeating: 0, count: Self.bottleneck / 2 * segments)
        var gate = [Float](repeating: 0, count: Self.growth * segments)
        context.withUnsafeBufferPointer { context in
            squeezed.withUnsafeMutableBufferPointer { squeezed in
                Self.pointwise(context.baseAddress!, w.context1.weight, bias: w.context1.bias, inChannels: Self.bottleneck,
                               outChannels: Self.bottleneck / 2, length: segments, into: squeezed.baseAddress!)
                for i in squeezed.indices { squeezed[i] = max(0, squeezed[i]) }
                gate.withUnsafeMutableBufferPointer { gate in
                    Self.pointwise(squeezed.baseAddress!, w.context2.weight, bias: w.context2.bias, inChannels: Self.bottleneck / 2,
                                   outChannels: Self.growth, length: segments, into: gate.baseAddress!)
                }
            }
        }
        for c in 0..<Self.growth {
            for segment in 0..<segments {
                let factor = 1 / (1 + exp(-gate[c * segments + segment]))
                let first = segment * Self.segmentFrames, end = min(first + Self.segmentFrames, length)
                for i in first..<end { local[c * length + i] *= factor }
            }
        }
    }

    /// y = max(0, x·scale + shift) per channel over [channels × length].
    static func affineReLU(_ x: UnsafePointer<Float>, _ a: ChannelAffine, channels: Int, length: Int, into y: UnsafeMutablePointer<Float>) {
        for c in 0..<channels {
            let scale = a.scale[c], shift = a.shift[c]
            for i in 0..<length { y[c * length + i] = max(0, x[c * length + i] * scale + shift) }
        }
    }

    /// A 1×1 convolution: y [outChannels × length] = W [out × in] · x [in × length] + bias.
    static func pointwise(_ x: UnsafePointer<Float>, _ w: [Float], bias: [Float]?, inChannels: Int, outChannels: Int, length: Int,
                          into y: UnsafeMutablePointer<Float>) {
        if let bias { for o in 0..<outChannels { (y + o * length).update(repeating: bias[o], count: length) } }
        w.withUnsafeBufferPointer { w in
            BLAS.sgemm(m: outChannels, n: length, k: inChannels, a: w.baseAddress!, lda: inChannels, b: x, ldb: length,
                       beta: bias == nil ? 0 : 1, c: y, ldc: length)
        }
    }

    func conv1d(_ x: UnsafePointer<Float>, _ w: [Float], bias: [Float]?, geometry g: Conv1DGeometry,
                into y: UnsafeMutablePointer<Float>, scratch s: Scratch) {
        let columns = s.columns.buffer(g.scratchCount)
        w.withUnsafeBufferPointer { w in
            if let bias {
                bias.withUnsafeBufferPointer { b in
                    Conv.conv1d(x, geometry: g, weight: w.baseAddress!, bias: b.baseAddress!, output: y, scratch: columns)
                }
            } else {
                Conv.conv1d(x, geometry: g, weight: w.baseAddress!, bias: nil, output: y, scratch: columns)
            }
        }
    }

    /// A square-kernel conv2d (padding kernel/2, time stride 1) with its folded BatchNorm, optionally
    /// ReLU, into y [32 × outputHeight × width]; computed in bands of output rows (`bandPositions`).
    func conv2d(_ x: UnsafePointer<Float>, _ conv: FoldedConv, inChannels: Int, height: Int, width: Int, kernel: Int,
                heightStride: Int, relu: Bool, into y: UnsafeMutablePointer<Float>, scratch s: Scratch) {
        let g = Conv2DGeometry(inChannels: inChannels, outChannels: Self.channels, height: height, width: width,
                               kernelHeight: kernel, kernelWidth: kernel, stride: 1, padding: kernel / 2, heightStride: heightStride)
        let outH = g.outputHeight, band = max(1, Self.bandPositions / max(1, width))
        let columns = s.columns.buffer(g.scratchCount(rows: min(band, outH)))
        conv.weight.withUnsafeBufferPointer { w in
            conv.bias.withUnsafeBufferPointer { b in
                for first in stride(from: 0, to: outH, by: band) {
                    let rows = first..<min(first + band, outH)
                    Conv.conv2d(x, geometry: g, weight: w.baseAddress!, bias: b.baseAddress!, output: y, scratch: columns, outputRows: rows)
                    guard relu else { continue }
                    for o in 0..<Self.channels {
                        let start = y + (o * outH + first) * width
                        for i in 0..<(rows.count * width) { start[i] = max(0, start[i]) }
                    }
                }
            }
        }
    }
}
