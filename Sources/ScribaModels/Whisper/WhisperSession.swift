// Whisper forward passes over preallocated scratch: the encoder (one 30 s window → [1500, d]), the
// cross-attention K/V of every decoder layer (once per window), and the decoder (a batched prompt
// prefill, or one token per step through the KV cache). Follows CTranslate2 4.8.5 `layers/whisper.cc`
// and `layers/transformer.cc` (pre-LN blocks, erf GELU, scale 1/√headDim, tied output projection).
// A session owns mutable buffers, so it is used by one task at a time; the model it reads is shared.

import Foundation
import ScribaTensor

public final class WhisperSession {
    public let model: WhisperModel
    public var config: WhisperConfig { model.config }

    /// Cached self-attention keys/values: [decoderLayers][textPositions, d].
    let cache: KVCache
    /// Decoder positions filled so far (prompt + generated tokens).
    public private(set) var position = 0
    /// Time per stage since creation (or the caller's last reset).
    public var times = WhisperStageTimes()

    // Scratch, sized at init. rows = max(audioPositions, textPositions).
    private let rows: Int
    private let conv1Columns: UnsafeMutableBufferPointer<Float>   // im2col [melBins·3, windowFrames]
    private let conv2Columns: UnsafeMutableBufferPointer<Float>   // im2col [d·3, audioPositions]
    private let convOutput1: UnsafeMutablePointer<Float>          // [d, windowFrames]
    private let convOutput2: UnsafeMutablePointer<Float>          // [d, audioPositions]
    private let x: UnsafeMutablePointer<Float>                    // [rows, d] residual stream
    private let normed: UnsafeMutablePointer<Float>               // [rows, d] LN output
    private let qkv: UnsafeMutablePointer<Float>                  // [rows, 3d] fused projections
    private let attended: UnsafeMutablePointer<Float>             // [rows, d] attention output
    private let projected: UnsafeMutablePointer<Float>            // [rows, d] block output before the residual add
    private let hidden: UnsafeMutablePointer<Float>               // [rows, ffn]
    private let attentionScratch: UnsafeMutableBufferPointer<Float> // scores (one head's, or one block per thread)
    /// Working memory of the many-row products (widened tiles, low-precision inputs).
    private let linear = LinearScratch()
    private let pool = ThreadPool.shared
    /// Owns every scratch buffer above (freed with the session; none is ever reallocated).
    private var storage: [ScratchBuffer] = []
    /// Encoder output of the current window, [audioPositions, d].
    let encoderOutput: UnsafeMutablePointer<Float>
    /// Cross-attention K|V per decoder layer: [decoderLayers][audioPositions, 2d].
    private let crossKeyValues: UnsafeMutablePointer<Float>
    /// Logits of up to `logitRows` rows, [logitRows, vocab].
    let logits: UnsafeMutablePointer<Float>
    static let logitRows = 16

    public init(model: WhisperModel) {
        self.model = model
        let c = model.config
        let d = c.modelDim
        rows = max(c.audioPositions, c.textPositions)
        cache = KVCache(layers: c.decoderLayers, maxSequenceLength: c.textPositions, kvHeads: c.decoderHeads, headDim: d / c.decoderHeads)
        var owned: [ScratchBuffer] = []
        func buffer(_ count: Int) -> UnsafeMutablePointer<Float> {
            owned.append(ScratchBuffer(count))
            return owned[owned.count - 1].pointer
        }
        conv1Columns = UnsafeMutableBufferPointer(start: buffer(c.melBins * 3 * c.windowFrames), count: c.melBins * 3 * c.windowFrames)
        conv2Columns = UnsafeMutableBufferPointer(start: buffer(d * 3 * c.audioPositions), count: d * 3 * c.audioPositions)
        convOutput1 = buffer(d * c.windowFrames)
        convOutput2 = buffer(d * c.audioPositions)
        x = buffer(rows * d)
        normed = buffer(rows * d)
        qkv = buffer(rows * 3 * d)
        attended = buffer(rows * d)
        projected = buffer(rows * d)
        hidden = buffer(rows * c.ffnDim)
        let scores = max(ParallelAttention.scratchCount(keyLength: c.audioPositions, threads: ThreadPool.shared.threadCount),
                         c.textPositions * max(c.textPositions, c.audioPositions), c.decoderHeads * max(c.textPositions, c.audioPositions))
        attentionScratch = UnsafeMutableBufferPointer(start: buffer(scores), count: scores)
        encoderOutput = buffer(c.audioPositions * d)
        crossKeyValues = buffer(c.decoderLayers * c.audioPositions * 2 * d)
        logits = buffer(Self.logitRows * c.vocabularySize)
        storage = owned
    }

    // MARK: - Encoder

    /// Encodes one window: `mel` is [melBins, windowFrames] row-major (zero-padded by the caller).
    /// Leaves the output in `encoderOutput` and the cross-attention K/V of every decoder layer ready.
    func encode(mel: UnsafePointer<Float>) {
        let c = config, w = model.weights, d = c.modelDim, n = c.audioPositions
        var mark = WhisperClock.now()
        func lap(_ stage: WritableKeyPath<WhisperStageTimes, Double>) {
            let now = WhisperClock.now()
            times[keyPath: stage] += now - mark
            mark = now
        }
        times.windows += 1
        // conv1 (stride 1, pad 1) + GELU: [melBins, 3000] → [d, 3000]
        w.conv1Weight.withUnsafeBufferPointer { wt in
            w.conv1Bias.withUnsafeBufferPointer { b in
                Conv.conv1d(mel, geometry: Conv1DGeometry(inChannels: c.melBins, outChannels: d, inputLength: c.windowFrames,
                                                          kernelSize: 3, stride: 1, padding: 1),
                            weight: wt.baseAddress!, bias: b.baseAddress, output: convOutput1, scratch: conv1Columns)
            }
        }
        Activations.geluErf(convOutput1, count: d * c.windowFrames)
        // conv2 (stride 2, pad 1) + GELU: → [d, 1500]
        w.conv2Weight.withUnsafeBufferPointer { wt in
            w.conv2Bias.withUnsafeBufferPointer { b in
                Conv.conv1d(UnsafePointer(convOutput1),
                            geometry: Conv1DGeometry(inChannels: d, outChannels: d, inputLength: c.windowFrames,
                                                     kernelSize: 3, stride: 2, padding: 1),
                            weight: wt.baseAddress!, bias: b.baseAddress, output: convOutput2, scratch: conv2Columns)
            }
        }
        Activations.geluErf(convOutput2, count: d * n)
        // Transpose to [1500, d] and add the sinusoid table.
        w.encoderPositions.withUnsafeBufferPointer { pos in
            for t in 0..<n {
                let row = x + t * d, p = pos.baseAddress! + t * d
                for ch in 0..<d { row[ch] = convOutput2[ch * n + t] + p[ch] }
            }
        }
        lap(\.encoderConv)
        let heads = c.encoderHeads, headDim = d / heads
        let scale = 1 / Float(headDim).squareRoot()
        for layer in w.encoderLayers {
            // x += out(attn(LN1(x)))
            layer.attentionNorm.forward(x, rows: n, dim: d, output: normed)
            layer.qkv.forward(normed, rows: n, output: qkv, scratch: linear)
            lap(\.encoderLinear)
            let shape = AttentionShape(queryLength: n, keyLength: n, queryHeads: heads, kvHeads: heads, headDim: headDim,
                                       queryRowStride: 3 * d, keyRowStride: 3 * d, valueRowStride: 3 * d, outputRowStride: d)
            ParallelAttention.attend(query: qkv, key: qkv + d, value: qkv + 2 * d, output: attended, shape: shape,
                                     scale: scale, scratch: attentionScratch, pool: pool)
            lap(\.encoderAttention)
            layer.attentionOut.forward(attended, rows: n, output: projected, scratch: linear)
            Vector.add(projected, into: x, count: n * d)
            // x += fc2(gelu(fc1(LN2(x))))
            layer.ffnNorm.forward(x, rows: n, dim: d, output: normed)
            layer.fc1.forward(normed, rows: n, output: hidden, scratch: linear)
            Activations.geluErf(hidden, count: n * c.ffnDim)
            layer.fc2.forward(hidden, rows: n, output: projected, scratch: linear)
            Vector.add(projected, into: x, count: n * d)
        }
        w.encoderNorm.forward(x, rows: n, dim: d, output: encoderOutput)
        lap(\.encoderLinear)
        // Cross-attention K|V for every decoder layer, once per window.
        for (i, layer) in w.decoderLayers.enumerated() {
            layer.crossKeyValue.forward(encoderOutput, rows: n, output: crossKeyValues + i * n * 2 * d, scratch: linear)
        }
        lap(\.crossKeyValues)
    }

    private func decoderFeedForward(_ layer: WhisperDecoderLayerWeights, rows n: Int) {
        let d = config.modelDim
        layer.ffnNorm.forward(x, rows: n, dim: d, output: normed)
        layer.fc1.forward(normed, rows: n, output: hidden, scratch: linear)
        Activations.geluErf(hidden, count: n * config.ffnDim)
        layer.fc2.forward(hidden, rows: n, output: projected, scratch: linear)
        Vector.add(projected, into: x, count: n * d)
    }

    // MARK: - Decoder

    /// Forgets the decoded tokens (new window or new prompt); the encoder output stays.
    func resetDecoder() {
        cache.reset()
        position = 0
    }

    /// Runs `tokens` through the decoder at positions `position…`, appending them to the KV cache.
    /// Afterwards `decoderHidden(row:)` holds the final-LN states of these rows. When `alignment` is
    /// given, the pre-softmax cross-attention scores (q·kᵀ·scale) of its heads are written there as
    /// [heads][tokens, audioPositions].
    func decode(_ tokens: UnsafeBufferPointer<Int>, alignment: UnsafeMutablePointer<Float>? = nil) throws {
        let c = config, w = model.weights, d = c.modelDim
        let t = tokens.count, offset = position
        guard t > 0 else { return }
        guard offset + t <= c.textPositions else { throw WhisperError.sequenceTooLong(tokens: offset + t, limit: c.textPositions) }
        let n = c.audioPositions, heads = c.decoderHeads, headDim = d / heads
        let scale = 1 / Float(headDim).squareRoot()
        // The pooled SIMD kernel takes whole 16-lane head slices (64 in every released Whisper).
        let singleQueryKernel = headDim % 16 == 0
        let start = WhisperClock.now()
        defer {
            let elapsed = WhisperClock.now() - start
            if alignment != nil { times.alignment += elapsed }
            else if t == 1 { times.steps += elapsed; times.stepTokens += 1 }
            else { times.prefill += elapsed; times.prefillTokens += t }
        }
        for r in 0..<t where tokens[r] < 0 || tokens[r] >= c.vocabularySize {
            throw WhisperError.invalidConfig("token id \(tokens[r]) is outside the \(c.vocabularySize)-token vocabulary")
        }
        w.decoderPositions.withUnsafeBufferPointer { p in
            for r in 0..<t {
                let row = x + r * d, pos = p.baseAddress! + (offset + r) * d
                w.embeddings.dequantizeRows(tokens[r]..<(tokens[r] + 1), into: row)
                for ch in 0..<d { row[ch] += pos[ch] }
            }
        }
        for (li, layer) in w.decoderLayers.enumerated() {
            // Causal self-attention through the cache.
            layer.selfNorm.forward(x, rows: t, dim: d, output: normed)
            layer.selfQKV.forward(normed, rows: t, output: qkv, scratch: linear)
            let slots = try cache.appendSlots(layer: li, rows: t)
            for r in 0..<t {
                slots.keys.advanced(by: r * d).update(from: qkv + r * 3 * d + d, count: d)
                slots.values.advanced(by: r * d).update(from: qkv + r * 3 * d + 2 * d, count: d)
            }
            let selfShape = AttentionShape(queryLength: t, keyLength: offset + t, queryHeads: heads, kvHeads: heads,
                                           headDim: headDim, queryRowStride: 3 * d, keyRowStride: d, valueRowStride: d,
                                           outputRowStride: d)
            if t == 1 && singleQueryKernel {
                SingleQueryAttention.attend(query: qkv, key: cache.keys(layer: li), value: cache.values(layer: li), output: attended,
                                            heads: heads, headDim: headDim, keyLength: offset + 1, keyRowStride: d, valueRowStride: d,
                                            scale: scale, scratch: attentionScratch.baseAddress!, pool: pool)
            } else {
                Attention.scaledDotProduct(query: qkv, key: cache.keys(layer: li), value: cache.values(layer: li), output: attended,
                                           shape: selfShape, mask: .causal(queryOffset: offset), scale: scale, scratch: attentionScratch)
            }
            layer.selfOut.forward(attended, rows: t, output: projected, scratch: linear)
            Vector.add(projected, into: x, count: t * d)
            // Cross-attention over the window's encoder output.
            layer.crossNorm.forward(x, rows: t, dim: d, output: normed)
            layer.crossQuery.forward(normed, rows: t, output: qkv, scratch: linear)
            let kv = UnsafePointer(crossKeyValues + li * n * 2 * d)
            let crossShape = AttentionShape(queryLength: t, keyLength: n, queryHeads: heads, kvHeads: heads, headDim: headDim,
                                            queryRowStride: d, keyRowStride: 2 * d, valueRowStride: 2 * d, outputRowStride: d)
            if t == 1 && singleQueryKernel {
                SingleQueryAttention.attend(query: qkv, key: kv, value: kv + d, output: attended, heads: heads, headDim: headDim,
                                            keyLength: n, keyRowStride: 2 * d, valueRowStride: 2 * d, scale: scale,
                                            scratch: attentionScratch.baseAddress!, pool: pool)
            } else {
                Attention.scaledDotProduct(query: qkv, key: kv, value: kv + d, output: attended, shape: crossShape,
                                           mask: .none, scale: scale, scratch: attentionScratch)
            }
            if let alignment {
                for (hi, head) in c.alignmentHeads.enumerated() where head.layer == li {
                    BLAS.sgemm(transB: true, m: t, n: n, k: headDim, alpha: scale,
                               a: qkv + head.head * headDim, lda: d, b: kv + head.head * headDim, ldb: 2 * d,
                               c: alignment + hi * t * n, ldc: n)
                }
            }
            layer.crossOut.forward(attended, rows: t, output: projected, scratch: linear)
            Vector.add(projected, into: x, count: t * d)
            decoderFeedForward(layer, rows: t)
        }
        w.decoderNorm.forward(x, rows: t, dim: d, output: normed)
        position = offset + t
    }

    /// Final hidden state of row `r` of the last `decode` call.
    func decoderHidden(row r: Int) -> UnsafePointer<Float> { UnsafePointer(normed + r * config.modelDim) }

    /// logits[i] = h_rowᵀ · E[i] for rows `first..<first+count` (count ≤ logitRows) of the last decode,
    /// written as [count, vocab] into `logits`.
    func computeLogits(firstRow first: Int, count: Int) {
        let start = WhisperClock.now()
        defer { times.logits += WhisperClock.now() - start; times.logitRows += count }
        precondition(count <= Self.logitRows, "at most \(Self.logitRows) logit rows per call")
        GEMV.multiply(model.weights.embeddings, x: decoderHidden(row: first), inputs: count, output: logits, pool: pool)
    }
}
