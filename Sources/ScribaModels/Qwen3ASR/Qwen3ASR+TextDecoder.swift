import ScribaTensor

// The Qwen3 text decoder (`Qwen3ASRThinkerTextModel`): token embeddings with the audio rows
// scattered into the `<|audio_pad|>` slots, then per layer
//   h += o_proj(attention(RoPE(q_norm(q)), RoPE(k_norm(k)), v))   on x = RMSNorm_in(h)
//   h += down(silu(gate(x)) · up(x))                               on x = RMSNorm_post(h)
// then the final RMSNorm and the head. The reference's interleaved M-RoPE gets the same position in
// all three rows for audio and text tokens, so it is plain rotate-half RoPE at positions 0, 1, 2, …
//
// The prompt is prefilled `Qwen3Scratch.prefillRows` rows at a time (causal attention against the
// cache), so the attention scratch is rows × context instead of context². A decode step is the
// same code with one row: GEMVs into preallocated buffers, nothing allocated.

extension Qwen3ASR {
    /// Runs the prompt through the decoder from an empty cache. `audio` [tokens, hidden] fills the
    /// `<|audio_pad|>` positions in order. Leaves the last position's head output in
    /// `scratch.logits`; `collect` positions get their head outputs copied into the result
    /// ([collect.count × headRows], the aligner's slots). `extraPositions` reserves cache room for
    /// the tokens decoded afterwards. `reusingCache`: positions whose ids (and audio rows) equal the
    /// previous reusing call's keep their cached keys and values (causal attention: same inputs,
    /// same rows), so only the rest is prefilled.
    @discardableResult
    func prefill(_ ids: [Int], audio: Tensor, extraPositions: Int, collect: [Int] = [], reusingCache: Bool = false) throws -> [Float] {
        let t = config.text
        let audioRows = audio.rank == 2 ? audio.shape[0] : 0
        let padCount = ids.reduce(0) { $0 + ($1 == specialTokens.audioPad ? 1 : 0) }
        guard padCount == audioRows, audioRows == 0 || audio.shape[1] == t.hiddenSize else {
            throw Qwen3ASRError.promptAudioMismatch(placeholders: padCount, audioRows: audioRows)
        }
        if let bad = ids.first(where: { $0 < 0 || $0 >= t.vocabSize }) {
            throw Qwen3ASRError.tokenOutOfRange(id: bad, vocabularySize: t.vocabSize)
        }
        guard !ids.isEmpty else { throw Qwen3ASRError.promptAudioMismatch(placeholders: 0, audioRows: audioRows) }
        let hiddenSize = t.hiddenSize
        let kept = reusingCache && collect.isEmpty ? reusablePositions(ids, audio: audio, positions: ids.count + extraPositions) : 0
        if kept > 0 {
            cache.truncate(to: kept)
            cachedPositions = kept
            scratch.scores.reserve(Qwen3Scratch.prefillRows * cache.maxSequenceLength)
        } else {
            prepareCache(positions: ids.count + extraPositions)
        }
        reusablePrompt = reusingCache ? (ids, audio.data) : nil
        lastReusedPositions = kept

        var collected = [Float](repeating: 0, count: collect.count * headRows)
        let wanted = Dictionary(collect.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        var audioRow = ids[..<kept].reduce(0) { $0 + ($1 == specialTokens.audioPad ? 1 : 0) }
        try audio.data.withUnsafeBufferPointer { audioBuffer in
            var start = kept
            while start < ids.count {
                let rows = min(Qwen3Scratch.prefillRows, ids.count - start)
                let hidden = scratch.hidden.pointer
                for r in 0..<rows {
                    let id = ids[start + r]
                    if id == specialTokens.audioPad {
                        (hidden + r * hiddenSize).update(from: audioBuffer.baseAddress! + audioRow * hiddenSize, count: hiddenSize)
                        audioRow += 1
                    } else {
                        weights.decoder.embedTokens.copyRow(id, into: hidden + r * hiddenSize)
                    }
                }
                try runLayers(rows: rows, startPosition: start)
                for r in 0..<rows where wanted[start + r] != nil || start + r == ids.count - 1 {
                    headOutput(row: r)
                    if let slot = wanted[start + r] {
                        collected.withUnsafeMutableBufferPointer { buffer in
                            (buffer.baseAddress! + slot * headRows).update(from: scratch.logits.pointer, count: headRows)
                        }
                    }
                }
                start += rows
            }
        }
        // Rows are visited in order and the last one always gets its head output, so
        // scratch.logits now holds the last position's.
        return collected
    }

    /// How many leading positions of `ids` (with `audio` in their pad slots) equal the previous
    /// reusing prefill's, which the cache still holds; at most all but the last (whose head output
    /// is needed), and 0 when the cache has no room for `positions`.
    private func reusablePositions(_ ids: [Int], audio: Tensor, positions: Int) -> Int {
        guard let previous = reusablePrompt, positions <= cache.maxSequenceLength else { return 0 }
        let width = config.text.hiddenSize
        var n = 0, audioRow = 0
        let limit = min(ids.count - 1, previous.ids.count, cachedPositions)
        while n < limit, ids[n] == previous.ids[n] {
            if ids[n] == specialTokens.audioPad {
                let range = audioRow * width..<(audioRow + 1) * width
                guard range.upperBound <= previous.audio.count, audio.data[range] == previous.audio[range] else { break }
                audioRow += 1
            }
            n += 1
        }
        return n
    }

    /// One decode step: `token` at the next position; its head output lands in `scratch.logits`.
    func decodeStep(_ token: Int) throws {
        let t = config.text
        guard token >= 0 && token < t.vocabSize else {
            throw Qwen3ASRError.tokenOutOfRange(id: token, vocabularySize: t.vocabSize)
        }
        weights.decoder.embedTokens.copyRow(token, into: scratch.hidden.pointer)
        try runLayers(rows: 1, startPosition: cachedPositions)
        headOutput(row: 0)
    }

    /// Cache room for `positions`; reallocated (once per call) only past the current capacity.
    private func prepareCache(positions: Int) {
        let t = config.text
        if positions > cache.maxSequenceLength {
            // Round up so a slightly longer next call does not reallocate again.
            let capacity = (positions + 255) / 256 * 256
            cache = KVCache(layers: t.numHiddenLayers, maxSequenceLength: capacity, kvHeads: t.numKeyValueHeads, headDim: t.headDim,
                            storage: cache.storage)
        } else {
            cache.reset()
        }
        cachedPositions = 0
        scratch.scores.reserve(Qwen3Scratch.prefillRows * cache.maxSequenceLength)
    }

    /// `rows` rows in `scratch.hidden` at positions startPosition… through every layer.
    private func runLayers(rows: Int, startPosition: Int) throws {
        let t = config.text
        let hiddenSize = t.hiddenSize, headDim = t.headDim
        let heads = t.numAttentionHeads, kvHeads = t.numKeyValueHeads
        let qDim = heads * headDim, kvDim = kvHeads * headDim, qkvDim = qDim + 2 * kvDim
        let intermediate = t.intermediateSize
        let linear = scratch.linear
        let hidden = scratch.hidden.pointer, normed = scratch.normed.pointer
        let qkv = scratch.qkv.pointer, attention = scratch.attention.pointer
        let gateUp = scratch.gateUp.pointer, activated = scratch.activated.pointer
        let eps = t.rmsNormEps
        let scale = 1 / Float(headDim).squareRoot()
        let keyLength = startPosition + rows
        let shape = AttentionShape(queryLength: rows, keyLength: keyLength, queryHeads: heads, kvHeads: kvHeads, headDim: headDim,
                                   queryRowStride: qkvDim, keyRowStride: kvDim, valueRowStride: kvDim, outputRowStride: qDim)
        let mask = AttentionMask.causal(queryOffset: startPosition)
        let scores = scratch.scores.buffer(shape.scratchCount(mask: mask))
        cachedPositions = keyLength

        let layers = weights.decoder.layers
        layerObserver?(-1, rows, startPosition, hidden)
        // An index loop: `enumerated()` allocates per layer in unoptimised builds.
        for index in layers.indices {
            let layer = layers[index]
            // x = RMSNorm_in(h); q|k|v = x · [Wq|Wk|Wv]ᵀ
            Norms.rmsNorm(hidden, normed, rows: rows, dim: hiddenSize, weight: layer.inputNorm, eps: eps)
            Linear.forward(normed, rows: rows, weight: layer.qkv, bias: nil, output: qkv, scratch: linear)
            let slots = try cache.appendSlots(layer: index, rows: rows)
            for r in 0..<rows {
                let row = qkv + r * qkvDim
                // q_norm / k_norm per head over head_dim, before RoPE.
                Norms.rmsNorm(row, row, rows: heads, dim: headDim, weight: layer.qNorm, eps: eps)
                Norms.rmsNorm(row + qDim, slots.keys + r * kvDim, rows: kvHeads, dim: headDim, weight: layer.kNorm, eps: eps)
                (slots.values + r * kvDim).update(from: row + qDim + kvDim, count: kvDim)
            }
            rope.apply(qkv, rows: rows, heads: heads, rowStride: qkvDim, startPosition: startPosition)
            rope.apply(slots.keys, rows: rows, heads: kvHeads, rowStride: kvDim, startPosition: startPosition)
            cache.commit()
            if rows == 1, cache.storage == .bf16, headDim % 16 == 0 {
                // A decode step reads the bf16 cache as it is: half the bytes of f32.
                SingleQueryAttention.attend(query: qkv, bf16Key: cache.bf16Keys(layer: index), bf16Value: cache.bf16Values(layer: index),
                                            output: attention, heads: heads, headDim: headDim, keyLength: keyLength,
                                            keyRowStride: kvDim, valueRowStride: kvDim, scale: scale, kvGroup: heads / kvHeads,
                                            scratch: scores.baseAddress!)
            } else {
                let cached = cache.f32View(layer: index, length: keyLength)
                Attention.scaledDotProduct(query: qkv, key: cached.keys, value: cached.values,
                                           output: attention, shape: shape, mask: mask, scale: scale, scratch: scores)
            }
            // h += o_proj(attention)
            Linear.forward(attention, rows: rows, weight: layer.o, bias: nil, output: hidden, accumulate: true, scratch: linear)
            // h += down(silu(gate(x)) · up(x)), x = RMSNorm_post(h)
            Norms.rmsNorm(hidden, normed, rows: rows, dim: hiddenSize, weight: layer.postNorm, eps: eps)
            Linear.forward(normed, rows: rows, weight: layer.gateUp, bias: nil, output: gateUp, scratch: linear)
            for r in 0..<rows {
                let row = gateUp + r * 2 * intermediate
                Activations.siluGateMultiply(gate: row, up: row + intermediate, output: activated + r * intermediate, count: intermediate)
            }
            Linear.forward(activated, rows: rows, weight: layer.down, bias: nil, output: hidden, accumulate: true, scratch: linear)
            layerObserver?(index, rows, startPosition, hidden)
        }
    }

    /// Final RMSNorm of row `row` of `scratch.hidden`, then the head, into `scratch.logits`.
    private func headOutput(row: Int) {
        let t = config.text
        let normed = scratch.normed.pointer
        Norms.rmsNorm(scratch.hidden.pointer + row * t.hiddenSize, normed, rows: 1, dim: t.hiddenSize,
                      weight: weights.decoder.norm, eps: t.rmsNormEps)
        Linear.forward(normed, rows: 1, weight: weights.decoder.head, bias: nil, output: scratch.logits.pointer,
                       scratch: scratch.linear)
    }
}
