import Foundation
import Testing
import ScribaTensor
@testable import ScribaModels

/// Deterministic values in [-1, 1) (SplitMix64), so failures reproduce.
private func randomValues(_ count: Int, seed: UInt64) -> [Float] {
    var state = seed
    return (0..<count).map { _ in
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Float(Double((z ^ (z >> 31)) >> 11) / Double(1 << 53) * 2 - 1)
    }
}

/// The kernels Whisper's fast path uses, checked against `Attention.scaledDotProduct` (BLAS, one head at
/// a time) and against each other: same numbers to float rounding.
struct WhisperComputeTests {
    /// One query over 1500 strided keys (a decode step's cross-attention): every head within 1e-5.
    @Test(arguments: [1, 7, 1500])
    func singleQueryAttentionMatchesTheBLASPath(keys: Int) {
        let heads = 8, headDim = 64, d = heads * headDim
        let q = randomValues(d, seed: 1), kv = randomValues(keys * 2 * d, seed: UInt64(keys))
        var expected = [Float](repeating: 0, count: d), actual = [Float](repeating: 1, count: d)
        var scratch = [Float](repeating: 0, count: heads * keys)
        let shape = AttentionShape(queryLength: 1, keyLength: keys, queryHeads: heads, kvHeads: heads, headDim: headDim,
                                   keyRowStride: 2 * d, valueRowStride: 2 * d)
        kv.withUnsafeBufferPointer { kvp in
            scratch.withUnsafeMutableBufferPointer { s in
                Attention.scaledDotProduct(query: q, key: kvp.baseAddress!, value: kvp.baseAddress! + d, output: &expected,
                                           shape: shape, mask: .none, scale: 0.125, scratch: s)
                SingleQueryAttention.attend(query: q, key: kvp.baseAddress!, value: kvp.baseAddress! + d, output: &actual,
                                            heads: heads, headDim: headDim, keyLength: keys, keyRowStride: 2 * d,
                                            valueRowStride: 2 * d, scale: 0.125, scratch: s.baseAddress!)
            }
        }
        let worst = zip(expected, actual).map { abs($0 - $1) }.max()!
        #expect(worst < 1e-5, "max |Δ| \(worst)")
        // Not trivially zero: a softmax-weighted mean of values in [-1, 1) over few keys is far from 0.
        if keys == 1 { #expect(expected.map(abs).max()! > 0.5) }
    }

    /// The encoder's blocked two-thread attention (300 queries: two full blocks and a partial one)
    /// equals one-head-at-a-time BLAS attention, pooled or on the calling thread alone.
    @Test func parallelAttentionMatchesTheBLASPath() {
        let n = 300, heads = 4, headDim = 64, d = heads * headDim
        let qkv = randomValues(n * 3 * d, seed: 42)
        let shape = AttentionShape(queryLength: n, keyLength: n, queryHeads: heads, kvHeads: heads, headDim: headDim,
                                   queryRowStride: 3 * d, keyRowStride: 3 * d, valueRowStride: 3 * d, outputRowStride: d)
        var expected = [Float](repeating: 0, count: n * d), pooled = expected, single = expected
        var scratch = [Float](repeating: 0, count: ParallelAttention.scratchCount(keyLength: n, threads: 2) + n * n)
        let pool = ThreadPool(threads: 2)
        qkv.withUnsafeBufferPointer { p in
            scratch.withUnsafeMutableBufferPointer { s in
                let q = p.baseAddress!
                Attention.scaledDotProduct(query: q, key: q + d, value: q + 2 * d, output: &expected, shape: shape,
                                           mask: .none, scale: 0.125, scratch: s)
                ParallelAttention.attend(query: q, key: q + d, value: q + 2 * d, output: &pooled, shape: shape, scale: 0.125,
                                         scratch: s, pool: pool)
                ParallelAttention.attend(query: q, key: q + d, value: q + 2 * d, output: &single, shape: shape, scale: 0.125,
                                         scratch: s, pool: nil)
            }
        }
        let worst = zip(expected, pooled).map { abs($0 - $1) }.max()!
        #expect(worst < 1e-5, "max |Δ| \(worst)")
        // Single-threaded too (OpenBLAS's thread count, which other tests may change, moves the last bit).
        #expect(zip(expected, single).map { abs($0 - $1) }.max()! < 1e-5)
    }

    /// `dequantizeRows` returns what `dequantizedRow` (the GEMV's own view) does, for every precision.
    @Test(arguments: [WeightPrecision.f32, .bf16, .int8(), .int8(groupSize: 32)])
    func dequantizedRowsMatchTheGEMVView(precision: WeightPrecision) throws {
        let rows = 5, cols = 96
        let matrix = try WeightMatrix(rows: rows, cols: cols, values: randomValues(rows * cols, seed: 9), precision: precision)
        var out = [Float](repeating: .nan, count: 2 * cols)
        out.withUnsafeMutableBufferPointer { matrix.dequantizeRows(2..<4, into: $0.baseAddress!) }
        #expect(Array(out[0..<cols]) == matrix.dequantizedRow(2))
        #expect(Array(out[cols...]) == matrix.dequantizedRow(3))
        #expect((matrix.withF32Values { $0[cols] } != nil) == (precision == .f32))
    }

    /// A Whisper linear on 40 rows (a matrix product: sgemm for f32, oneDNN's bf16 / int8 where present,
    /// else sgemm over widened tiles) gives the 1-row GEMV results to rounding.
    @Test(arguments: [WeightPrecision.f32, .bf16, .int8()])
    func linearPathsAgree(precision: WeightPrecision) throws {
        let out = 48, inputs = 64, rows = 40
        let linear = WhisperLinear(
            weight: try WeightMatrix(rows: out, cols: inputs, values: randomValues(out * inputs, seed: 3), precision: precision),
            bias: randomValues(out, seed: 4))
        let x = randomValues(rows * inputs, seed: 5)
        var perRow = [Float](repeating: 0, count: rows * out), product = perRow
        let scratch = LinearScratch()
        x.withUnsafeBufferPointer { xp in
            perRow.withUnsafeMutableBufferPointer { y in
                for r in 0..<rows {
                    linear.forward(xp.baseAddress! + r * inputs, rows: 1, output: y.baseAddress! + r * out, scratch: scratch)
                }
            }
            product.withUnsafeMutableBufferPointer { y in
                linear.forward(xp.baseAddress!, rows: rows, output: y.baseAddress!, scratch: scratch)
            }
        }
        // int8 GEMV rows on a VNNI build round their inputs to int16 (max|x| / 32767 steps, x in ±1):
        // up to 64 columns × |w| ≤ 1 × half a step ≈ 1e-3. oneDNN's products round x to bf16
        // (64 terms × 2⁻⁹ relative ≈ 1e-2 at worst here), or, for per-row int8, to int8 steps of
        // max|x| / 127 (measured 3.5e-2).
        let lowPrecisionTolerance: Float = precision == .int8(groupSize: nil) ? 6e-2 : 2e-2
        let tolerance: Float = precision == .f32 ? 1e-4 : OneDNN.isAvailable ? lowPrecisionTolerance : GEMV.quantizesInt8Inputs ? 1.1e-3 : 1e-4
        let worst = zip(perRow, product).map { abs($0 - $1) }.max()!
        #expect(worst < tolerance, "max |Δ| \(worst) for \(precision)")
        #expect(perRow.map(abs).max()! > 0.5)
    }
}

/// int8 decoder weights (per-output-channel scales) against f32.
struct WhisperInt8Tests {
    /// The tiny random model of WhisperLoaderTests: encoder output and the logits of a prefill + cached
    /// step within 2 % of their spread, same argmax; the output projection is stored as bytes plus row scales.
    @Test func int8DecoderKeepsTheTinyModelsLogitsClose() throws {
        let constants = WhisperDecodingConstants(alignmentHeads: [[0, 1]], languageIDs: [], suppressIDs: [1, 2], suppressIDsBegin: [3])
        let f32 = try WhisperModel(source: WhisperLoaderTests.CT2Memory(tensors: WhisperLoaderTests.ct2Tensors()), constants: constants)
        let int8 = try WhisperModel(source: WhisperLoaderTests.CT2Memory(tensors: WhisperLoaderTests.ct2Tensors()), constants: constants,
                                    precision: .int8())
        #expect(int8.precision == .int8() && f32.precision == .f32)
        let a = try WhisperLoaderTests.forward(f32), b = try WhisperLoaderTests.forward(int8)
        let encoderSpread = a.encoder.max()! - a.encoder.min()!
        let encoderWorst = zip(a.encoder, b.encoder).map { abs($0 - $1) }.max()!
        #expect(encoderWorst < 0.02 * encoderSpread, "max |Δ encoder| \(encoderWorst) of spread \(encoderSpread)")
        let spread = a.logits.max()! - a.logits.min()!
        let worst = zip(a.logits, b.logits).map { abs($0 - $1) }.max()!
        #expect(worst < 0.02 * spread, "max |Δ logit| \(worst) of spread \(spread)")
        #expect(a.logits.firstIndex(of: a.logits.max()!) == b.logits.firstIndex(of: b.logits.max()!))
        // 1 byte per weight plus one Float scale per row (70 × 8 here) vs 4 bytes per weight.
        #expect(int8.weights.embeddings.byteCount == 70 * 8 + 70 * 4 && f32.weights.embeddings.byteCount == 70 * 8 * 4)
    }

    /// Whisper base with int8 decoder weights decodes the librivox-0870 reference mel to exactly the
    /// token ids faster-whisper float32 produced (measured: 5/5 LibriVox clips agree token for token).
    @Test(.enabled(if: WhisperBaseLocation.isInstalled, "Whisper base weights not found; run scripts/fetch-whisper-base"))
    func int8GreedyTokensEqualTheFloat32Reference() throws {
        let model = try WhisperModel(folder: WhisperBaseLocation.folder, precision: .int8())
        let transcriber = try WhisperTranscriber(model: model, tokenizer: try BPETokenizer.load(folder: WhisperBaseLocation.folder))
        var options = WhisperOptions(language: "en", withoutTimestamps: false, wordTimestamps: false)
        options.temperatures = [0]
        let result = try transcriber.transcribe(mel: try WhisperReference.mel(), options: options)
        let calls = WhisperReference.run(language: "en", withoutTimestamps: false)["generate_calls"] as! [[String: Any]]
        #expect(result.calls.map(\.generated) == calls.map { $0["generated"] as! [Int] })
        #expect(result.calls.count == calls.count)
    }
}
