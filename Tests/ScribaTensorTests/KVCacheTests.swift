import Testing
import ScribaTensor

@Test func appendPlacesRowsAfterCachedOnesPerLayer() throws {
    let cache = KVCache(layers: 2, maxSequenceLength: 5, kvHeads: 2, headDim: 3)
    #expect(cache.rowWidth == 6)
    let first = randomFloats(2 * 6, seed: 101), second = randomFloats(6, seed: 102)
    try cache.append(layer: 1, keys: first, values: first.map { -$0 }, rows: 2)
    let keysBefore = cache.keys(layer: 1)
    try cache.append(layer: 1, keys: second, values: second.map { -$0 }, rows: 1)
    #expect(cache.lengths == [0, 3])
    // Storage does not move, and earlier rows are where they were.
    #expect(cache.keys(layer: 1) == keysBefore)
    #expect(Array(UnsafeBufferPointer(start: cache.keys(layer: 1), count: 18)) == first + second)
    #expect(Array(UnsafeBufferPointer(start: cache.values(layer: 1), count: 18)) == (first + second).map { -$0 })
    cache.truncate(to: 1)
    #expect(cache.lengths == [0, 1])
}

@Test func appendingPastCapacityThrowsFull() throws {
    let cache = KVCache(layers: 1, maxSequenceLength: 4, kvHeads: 1, headDim: 2)
    _ = try cache.appendSlots(layer: 0, rows: 3)
    #expect(throws: KVCacheError.full(layer: 0, length: 3, appending: 2, capacity: 4)) {
        _ = try cache.appendSlots(layer: 0, rows: 2)
    }
    #expect(cache.lengths == [3])
    #expect(throws: KVCacheError.layerOutOfRange(layer: 1, layers: 1)) { _ = try cache.appendSlots(layer: 1, rows: 1) }
    #expect(KVCacheError.full(layer: 0, length: 3, appending: 2, capacity: 4).description.contains("cannot take 2 more"))
}

@Test func decodingThroughCacheEqualsCausalPrefill() throws {
    // 5 tokens, 4 query heads over 2 kv heads, head dim 20: attending token by token from the cache
    // (GEMV path, causal offset = position) reproduces each row of the full causal prefill.
    let n = 5, qHeads = 4, kvHeads = 2, d = 20
    let q = randomFloats(n * qHeads * d, in: -2...2, seed: 111)
    let k = randomFloats(n * kvHeads * d, seed: 112), v = randomFloats(n * kvHeads * d, seed: 113)
    let prefillShape = AttentionShape(queryLength: n, keyLength: n, queryHeads: qHeads, kvHeads: kvHeads, headDim: d)
    var prefill = [Float](repeating: 0, count: n * qHeads * d)
    var scratch = [Float](repeating: 0, count: n * n)
    prefill.withPointer { o in scratch.withUnsafeMutableBufferPointer {
        Attention.scaledDotProduct(query: q, key: k, value: v, output: o, shape: prefillShape, mask: .causal(queryOffset: 0), scale: 0.2, scratch: $0)
    } }

    let cache = KVCache(layers: 1, maxSequenceLength: 8, kvHeads: kvHeads, headDim: d)
    for t in 0..<n {
        let row = kvHeads * d
        try cache.append(layer: 0, keys: Array(k[(t * row)..<((t + 1) * row)]), values: Array(v[(t * row)..<((t + 1) * row)]), rows: 1)
        let shape = AttentionShape(queryLength: 1, keyLength: cache.lengths[0], queryHeads: qHeads, kvHeads: kvHeads, headDim: d,
                                   keyRowStride: cache.rowWidth, valueRowStride: cache.rowWidth)
        var out = [Float](repeating: .nan, count: qHeads * d)
        let query = Array(q[(t * qHeads * d)..<((t + 1) * qHeads * d)])
        out.withPointer { o in scratch.withUnsafeMutableBufferPointer {
            Attention.scaledDotProduct(query: query, key: cache.keys(layer: 0), value: cache.values(layer: 0), output: o,
                                       shape: shape, mask: .causal(queryOffset: t), scale: 0.2, scratch: $0)
        } }
        let expected = prefill[(t * qHeads * d)..<((t + 1) * qHeads * d)].map(Double.init)
        #expect(worstToleranceRatio(out, expected, relative: 1e-6, absolute: 1e-6) <= 1)
    }
}

@Test func bf16CacheHoldsRoundedRowsAndDecodesLikeF32OverThem() throws {
    // A bf16 cache stores exactly the bf16 rounding of what was appended (staged as f32, committed);
    // its widened view and a decode step reading the bf16 rows directly both equal f32 attention over
    // those rounded keys and values.
    let n = 6, qHeads = 4, kvHeads = 2, d = 32, row = kvHeads * d
    let k = randomFloats(n * row, seed: 121), v = randomFloats(n * row, seed: 122)
    let q = randomFloats(qHeads * d, in: -2...2, seed: 123)
    let cache = KVCache(layers: 2, maxSequenceLength: 8, kvHeads: kvHeads, headDim: d, storage: .bf16)
    let slots = try cache.appendSlots(layer: 1, rows: n - 1)
    slots.keys.update(from: k, count: (n - 1) * row)
    slots.values.update(from: v, count: (n - 1) * row)
    cache.commit()
    try cache.append(layer: 1, keys: Array(k[((n - 1) * row)...]), values: Array(v[((n - 1) * row)...]), rows: 1)
    #expect(cache.lengths == [0, n])
    let rounded = { (x: [Float]) in x.map { BFloat16($0).floatValue } }
    #expect(Array(UnsafeBufferPointer(start: cache.bf16Keys(layer: 1), count: n * row)) == k.map { BFloat16($0).bitPattern })
    let view = cache.f32View(layer: 1, length: n)
    #expect(Array(UnsafeBufferPointer(start: view.keys, count: n * row)) == rounded(k))
    #expect(Array(UnsafeBufferPointer(start: view.values, count: n * row)) == rounded(v))

    let shape = AttentionShape(queryLength: 1, keyLength: n, queryHeads: qHeads, kvHeads: kvHeads, headDim: d)
    var expected = [Float](repeating: 0, count: qHeads * d), scratch = [Float](repeating: 0, count: qHeads * n)
    let (rk, rv) = (rounded(k), rounded(v))
    expected.withPointer { o in scratch.withUnsafeMutableBufferPointer {
        Attention.scaledDotProduct(query: q, key: rk, value: rv, output: o, shape: shape, mask: .none, scale: 0.2, scratch: $0)
    } }
    var direct = [Float](repeating: .nan, count: qHeads * d)
    direct.withPointer { o in scratch.withUnsafeMutableBufferPointer {
        SingleQueryAttention.attend(query: q, bf16Key: cache.bf16Keys(layer: 1), bf16Value: cache.bf16Values(layer: 1), output: o,
                                    heads: qHeads, headDim: d, keyLength: n, keyRowStride: row, valueRowStride: row, scale: 0.2,
                                    kvGroup: qHeads / kvHeads, scratch: $0.baseAddress!, pool: nil)
    } }
    #expect(worstToleranceRatio(direct, expected.map(Double.init), relative: 1e-5, absolute: 1e-6) <= 1)
}
