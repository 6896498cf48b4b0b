import ScribaTensor

// The audio encoder (`Qwen3ASRAudioEncoder.forward`): 100-frame chunks (the tail zero-padded to the
// longest chunk) → three 3×3 stride-2 convs with exact GELU → channel-major flatten → conv_out →
// per-chunk sinusoidal positions → pre-LN transformer layers with block-diagonal attention over
// 104-token windows → ln_post → proj1 → GELU → proj2.
//
// Attention span (`Qwen3EncoderAttention`): the reference builds windows (`cu_seqlens`) of
// 13 × n_window_infer / 100 tokens (104 = 8 s in the released configs; a checkpoint with n_window_infer
// 200 has 26-token, 2 s windows) but only flash-attention-2 (and vLLM) uses them; on the transformers
// CPU path (sdpa/eager) the encoder layers get no mask, so every token attends to the whole clip.
// Clips up to one window give the same values either way; longer ones do not, and that difference is
// all the f32 drift the parity issue reported on official-built checkpoints (2 s windows, 7–27 s
// clips): with the span matched, every case of the parity matrix agrees to ≤ 3e-5 relative (see
// docs/qwen3-reference-notes.md, "Parity on any checkpoint"). Windowed, windows never attend to each
// other and every other step is per row, so the encoder runs a few windows at a time through all
// layers: same values, bounded scratch for any clip length.

/// Which tokens an audio-encoder token attends to.
public enum Qwen3EncoderAttention: Sendable, Equatable {
    /// Within its 104-token window (8 s), as flash-attention-2 and vLLM run the reference, and as
    /// the model was built; cost linear in clip length.
    case windowed
    /// The whole clip, as the reference's transformers backend runs on the CPU (sdpa/eager, where
    /// the window mask is never passed); cost quadratic in clip length.
    case wholeClip
}

extension Qwen3ASR {
    /// Encodes one clip's log-mel features [mel bins, frames] into [audio tokens, output_dim]
    /// (`thinker.get_audio_features`). 0 frames → [0, output_dim].
    /// `padsPartialChunk`: pad a lone partial chunk to a full one, as when it ends a longer clip (a
    /// streaming session encoding only the windows after its cached ones).
    public func encodeAudio(mel: Tensor, padsPartialChunk: Bool = false) throws -> Tensor {
        let a = config.audio
        guard mel.rank == 2, mel.shape[0] == a.numMelBins else {
            throw Qwen3ASRError.melShape(expected: a.numMelBins, found: mel.shape)
        }
        let frames = mel.shape[1]
        let tokenCount = config.audioTokenCount(frames: frames)
        var output = Tensor(zeros: [tokenCount, a.outputDim])
        guard frames > 0 else { return output }

        let chunkFrames = a.chunkFrames
        let chunkCount = (frames + chunkFrames - 1) / chunkFrames
        // pad_sequence pads every chunk to the longest: a full chunk whenever there are two or more.
        let paddedFrames = chunkCount > 1 || padsPartialChunk ? chunkFrames : frames
        let chunksPerWindow = a.nWindowInfer / chunkFrames
        let windowCount = (chunkCount + chunksPerWindow - 1) / chunksPerWindow
        // Windowed: a few windows per pass. Whole clip: one pass over every chunk, one "window".
        let windowsPerPass = encoderAttention == .windowed ? Qwen3Scratch.encoderWindowsPerPass : windowCount
        let passRows = encoderAttention == .windowed ? scratch.encoderRows : tokenCount
        scratch.reserveEncoder(rows: passRows)
        var rowPositions = [Int](repeating: 0, count: passRows)

        mel.data.withUnsafeBufferPointer { melBuffer in
            output.data.withUnsafeMutableBufferPointer { outBuffer in
                guard let melBase = melBuffer.baseAddress, let outBase = outBuffer.baseAddress else { return }
                var outputRow = 0
                for firstWindow in stride(from: 0, to: windowCount, by: windowsPerPass) {
                    let lastWindow = min(firstWindow + windowsPerPass, windowCount)
                    var rows = 0
                    var windows: [Int] = []
                    for window in firstWindow..<lastWindow {
                        var windowRows = 0
                        for chunk in (window * chunksPerWindow)..<min((window + 1) * chunksPerWindow, chunkCount) {
                            let start = chunk * chunkFrames
                            let length = min(chunkFrames, frames - start)
                            let kept = convolveChunk(mel: melBase, frames: frames, start: start, length: length,
                                                     paddedFrames: paddedFrames, flatRow: rows)
                            for t in 0..<kept { rowPositions[rows + t] = t }
                            rows += kept
                            windowRows += kept
                        }
                        windows.append(windowRows)
                    }
                    if encoderAttention == .wholeClip { windows = [rows] }
                    encodeRows(rows, windows: windows, positions: rowPositions, output: outBase + outputRow * a.outputDim)
                    outputRow += rows
                }
            }
        }
        return output
    }

    /// Convolves one chunk (zero-padded to `paddedFrames`) and writes its first aftercnn(length)
    /// positions, flattened channel-major (c·16 + f), to `scratch.flat` from row `flatRow`.
    /// Returns the number of rows kept.
    private func convolveChunk(
        mel: UnsafePointer<Float>, frames: Int, start: Int, length: Int, paddedFrames: Int, flatRow: Int
    ) -> Int {
        let a = config.audio, w = weights.encoder
        let channels = a.downsampleHiddenSize
        let input = scratch.chunkInput.pointer
        for m in 0..<a.numMelBins {
            let row = input + m * paddedFrames
            row.update(from: mel + m * frames + start, count: length)
            // Zero padding is what the reference convolves: the padded columns leak into the kept ones.
            (row + length).update(repeating: 0, count: paddedFrames - length)
        }
        let g1 = Conv2DGeometry(inChannels: 1, outChannels: channels, height: a.numMelBins, width: paddedFrames, stride: 2, padding: 1)
        let g2 = Conv2DGeometry(inChannels: channels, outChannels: channels, height: g1.outputHeight, width: g1.outputWidth, stride: 2, padding: 1)
        let g3 = Conv2DGeometry(inChannels: channels, outChannels: channels, height: g2.outputHeight, width: g2.outputWidth, stride: 2, padding: 1)
        let c1 = scratch.conv1.pointer, c2 = scratch.conv2.pointer, c3 = scratch.conv3.pointer
        Conv.conv2d(input, geometry: g1, weight: w.conv1Weight, bias: w.conv1Bias, output: c1,
                    scratch: scratch.im2col.buffer(g1.scratchCount))
        Activations.geluErf(c1, count: channels * g1.outputHeight * g1.outputWidth)
        Conv.conv2d(c1, geometry: g2, weight: w.conv2Weight, bias: w.conv2Bias, output: c2,
                    scratch: scratch.im2col.buffer(g2.scratchCount), lowPrecisionWeight: w.conv2Product, linearScratch: scratch.linear)
        Activations.geluErf(c2, count: channels * g2.outputHeight * g2.outputWidth)
        Conv.conv2d(c2, geometry: g3, weight: w.conv3Weight, bias: w.conv3Bias, output: c3,
                    scratch: scratch.im2col.buffer(g3.scratchCount), lowPrecisionWeight: w.conv3Product, linearScratch: scratch.linear)
        Activations.geluErf(c3, count: channels * g3.outputHeight * g3.outputWidth)

        let kept = Qwen3ASRConfig.halvedThrice(length)
        let bins = g3.outputHeight, width = g3.outputWidth
        let flatWidth = channels * bins
        let flat = scratch.flat.pointer + flatRow * flatWidth
        for t in 0..<kept {
            let row = flat + t * flatWidth
            for c in 0..<channels {
                for f in 0..<bins { row[c * bins + f] = c3[(c * bins + f) * width + t] }
            }
        }
        return kept
    }

    /// conv_out + positions, the encoder layers, and the output projection for `rows` flattened rows
    /// (whole windows) in `scratch.flat`; writes [rows × output_dim] to `output`.
    private func encodeRows(_ rows: Int, windows: [Int], positions: [Int], output: UnsafeMutablePointer<Float>) {
        guard rows > 0 else { return }
        let a = config.audio, w = weights.encoder
        let d = a.dModel, ffn = a.encoderFFNDim
        let hidden = scratch.encHidden.pointer, normed = scratch.encNormed.pointer
        let qkv = scratch.encQKV.pointer, attention = scratch.encAttention.pointer, ffnBuffer = scratch.encFFN.pointer

        // conv_out (no bias), then the sinusoid row of each token's position inside its chunk.
        let linear = scratch.linear
        Linear.forward(scratch.flat.pointer, rows: rows, weight: w.convOut, bias: nil, output: hidden, scratch: linear)
        encoderPositions.withUnsafeBufferPointer { table in
            for r in 0..<rows { Vector.add(table.baseAddress! + positions[r] * d, into: hidden + r * d, count: d) }
        }

        let heads = a.encoderAttentionHeads, headDim = a.headDim
        let shape = AttentionShape(queryLength: rows, keyLength: rows, queryHeads: heads, kvHeads: heads, headDim: headDim,
                                   queryRowStride: 3 * d, keyRowStride: 3 * d, valueRowStride: 3 * d, outputRowStride: d)
        let mask = AttentionMask.blockDiagonal(windows: windows)
        let scale = 1 / Float(headDim).squareRoot()
        let layerNormEps: Float = 1e-5  // nn.LayerNorm default
        for layer in w.layers {
            // h += out_proj(attention(LN1(h)))
            Norms.layerNorm(hidden, normed, rows: rows, dim: d, weight: layer.attentionNormWeight, bias: layer.attentionNormBias, eps: layerNormEps)
            Linear.forward(normed, rows: rows, weight: layer.qkv, bias: layer.qkvBias, output: qkv, scratch: linear)
            Attention.scaledDotProduct(query: qkv, key: qkv + d, value: qkv + 2 * d, output: attention, shape: shape,
                                       mask: mask, scale: scale, scratch: scratch.encScores.buffer(shape.scratchCount(mask: mask)))
            Linear.forward(attention, rows: rows, weight: layer.out, bias: layer.outBias, output: hidden, accumulate: true,
                           scratch: linear)
            // h += fc2(gelu(fc1(LN2(h))))
            Norms.layerNorm(hidden, normed, rows: rows, dim: d, weight: layer.ffnNormWeight, bias: layer.ffnNormBias, eps: layerNormEps)
            Linear.forward(normed, rows: rows, weight: layer.fc1, bias: layer.fc1Bias, output: ffnBuffer, scratch: linear)
            Activations.geluErf(ffnBuffer, count: rows * ffn)
            Linear.forward(ffnBuffer, rows: rows, weight: layer.fc2, bias: layer.fc2Bias, output: hidden, accumulate: true,
                           scratch: linear)
        }
        // proj2(gelu(proj1(ln_post(h))))
        Norms.layerNorm(hidden, normed, rows: rows, dim: d, weight: w.lnPostWeight, bias: w.lnPostBias, eps: layerNormEps)
        Linear.forward(normed, rows: rows, weight: w.proj1, bias: w.proj1Bias, output: attention, scratch: linear)
        Activations.geluErf(attention, count: rows * d)
        Linear.forward(attention, rows: rows, weight: w.proj2, bias: w.proj2Bias, output: output, scratch: linear)
    }
}
