// Qwen3-ASR (1.7B / 0.6B) inference on the CPU, following qwen-asr 0.0.6
// (`core/transformers_backend/modeling_qwen3_asr.py`, `inference/qwen3_asr.py`, `inference/utils.py`)
// as docs/qwen3-reference-notes.md describes it. The thinker is loaded from a Hugging Face folder:
// the audio encoder (Qwen3ASR+Encoder.swift), the Qwen3 text decoder with a KV cache
// (Qwen3ASR+Decoder.swift), prompt building, greedy decoding and output parsing
// (Qwen3ASR+Decoding.swift, Qwen3ASROutput.swift). The forced aligner shares this thinker with a
// classifier head (Qwen3ForcedAligner.swift).
//
// One deliberate choice: the encoder attends within its n_window_infer windows (104 tokens, 8 s, in
// the released models) by default, as the reference does with flash-attention-2 / vLLM; its
// transformers CPU path (sdpa/eager) never passes the window mask and attends over the whole clip.
// Both are available (`Qwen3EncoderAttention`, `scriba --encoder-attention`) and both are tested
// against the official code on the parity matrix; they agree for clips up to one window.
//
// Left out: batching several clips in one call (the pipeline calls once per chunk), sampling
// (the reference decodes greedily), the talker/streaming parts of the reference, and the long-audio
// splitting (the pipeline's chunker does that). Linear weights are held in the checkpoint's precision
// (or f32 / bf16 / int8 on request, see Qwen3ASR+Weights.swift).
//
// Not thread-safe: the scratch buffers and KV cache are mutable. One instance per process, used
// from one actor (ScribaPipeline's Qwen3Recognizer).

import Foundation
import ScribaTensor

public final class Qwen3ASR {
    public let folder: URL
    public let config: Qwen3ASRConfig
    public let tokenizer: BPETokenizer
    /// Special token ids, looked up by name in the tokenizer once.
    public let specialTokens: SpecialTokens
    /// Rows of the output head (vocabulary or aligner classes); stored because the config derives
    /// it from a string test that allocates, and the decode step reads it.
    public let headRows: Int

    let weights: Qwen3ThinkerWeights
    let scratch: Qwen3Scratch
    let rope: RoPETable
    /// [positions per chunk × d_model] sinusoids: sin half then cos half (not interleaved).
    let encoderPositions: [Float]
    /// Grows when a call needs a longer context than any call before.
    var cache: KVCache
    /// Positions in `cache` (kept here: reading `cache.lengths` copies an array per step).
    var cachedPositions = 0
    /// The prompt ids and audio rows the cache was last prefilled from by a reusing call
    /// (`prefill(reusingCache: true)`); nil after any other call.
    var reusablePrompt: (ids: [Int], audio: [Float])?
    /// Prompt positions the last prefill kept from the cache (benchmarks).
    public internal(set) var lastReusedPositions = 0
    /// The audio encoder's attention span; see `Qwen3EncoderAttention`.
    public var encoderAttention: Qwen3EncoderAttention
    /// Diagnostics (the parity harness): called with the text decoder's hidden rows [rows × hidden]
    /// at positions startPosition… after the embeddings (layer −1) and after every layer.
    public var layerObserver: ((_ layer: Int, _ rows: Int, _ startPosition: Int, _ hidden: UnsafePointer<Float>) -> Void)?

    public struct SpecialTokens: Sendable, Equatable {
        public var imStart: Int
        public var imEnd: Int
        public var endOfText: Int
        public var audioStart: Int
        public var audioEnd: Int
        public var audioPad: Int
        /// `<asr_text>` (ASR) — nil when the tokenizer lacks it (the aligner does not need it).
        public var asrText: Int?
        /// `<timestamp>` (aligner only).
        public var timestamp: Int?
        /// Generation stops at `<|im_end|>` or `<|endoftext|>` (the reference's eos ids, by name).
        public var stopTokens: [Int] { [imEnd, endOfText] }
    }

    /// How the linear layers' weights are held (the checkpoint's dtype unless asked otherwise).
    public var precision: WeightPrecision { weights.precision }
    /// Whether the encoder and prefill products (and the KV cache) run in `precision` — true when a
    /// precision was asked for — or in f32 over the stored values (the default).
    public var lowPrecisionProducts: Bool { weights.lowPrecisionProducts }
    /// Bytes of all weights as held in memory (what RSS is compared with).
    public var weightBytes: Int { weights.byteCount }

    /// Loads config.json, the tokenizer and the weights of a Qwen3-ASR or aligner folder.
    /// `precision` nil keeps the checkpoint's dtype (bf16 for the released models; f32 files stay
    /// f32) and computes in f32 from those values, as the reference does. A precision asked for
    /// (`.bf16` narrows f32 files, `.int8(groupSize:)` quantises the linear layers) also runs the
    /// many-row products and the KV cache in it where oneDNN is present: faster, not exact.
    public init(folder: URL, encoderAttention: Qwen3EncoderAttention = .windowed, precision: WeightPrecision? = nil) throws {
        self.folder = folder
        self.encoderAttention = encoderAttention
        let config = try Qwen3ASRConfig.load(folder: folder)
        let tokenizer = try BPETokenizer.load(folder: folder)
        self.config = config
        self.tokenizer = tokenizer
        specialTokens = try Self.lookUpSpecialTokens(tokenizer: tokenizer, config: config, folder: folder)
        let checkpoint = try SafeTensorsCheckpoint(folder: folder)
        weights = try Qwen3ThinkerWeights.load(checkpoint: checkpoint, config: config, precision: precision)
        scratch = Qwen3Scratch(config: config)
        headRows = config.headRows
        let t = config.text
        rope = RoPETable(headDim: t.headDim, maxPositions: min(t.maxPositionEmbeddings, Self.ropeTablePositions), theta: t.ropeTheta)
        encoderPositions = Self.sinusoids(rows: Qwen3ASRConfig.halvedThrice(config.audio.chunkFrames), channels: config.audio.dModel)
        // A bf16 or int8 precision asked for keeps keys and values in bf16 (half the bytes each decode
        // step reads); f32 and the default keep f32, so those paths stay equal to the reference.
        cache = KVCache(layers: t.numHiddenLayers, maxSequenceLength: Self.initialCachePositions, kvHeads: t.numKeyValueHeads,
                        headDim: t.headDim, storage: weights.lowPrecisionProducts && weights.precision != .f32 ? .bf16 : .f32)
    }

    /// RoPE cos/sin rows precomputed at load (positions past it are computed on the fly):
    /// 32k positions cover ~40 minutes of audio tokens; 16 MB for head_dim 128.
    static let ropeTablePositions = 32_768
    /// KV cache positions allocated at load; a longer prompt reallocates once for that call.
    static let initialCachePositions = 256

    private static func lookUpSpecialTokens(tokenizer: BPETokenizer, config: Qwen3ASRConfig, folder: URL) throws -> SpecialTokens {
        func id(_ token: String) throws -> Int {
            guard let id = tokenizer.id(of: token) else { throw Qwen3ASRError.tokenMissing(token: token, folder: folder) }
            return id
        }
        func check(_ token: String, _ configured: Int?) throws -> Int {
            let found = try id(token)
            if let configured, configured != found {
                throw Qwen3ASRError.tokenIDMismatch(token: token, config: configured, tokenizer: found, folder: folder)
            }
            return found
        }
        let tokens = SpecialTokens(
            imStart: try id("<|im_start|>"), imEnd: try id("<|im_end|>"), endOfText: try id("<|endoftext|>"),
            audioStart: try check("<|audio_start|>", config.thinker.audioStartTokenID),
            audioEnd: try check("<|audio_end|>", config.thinker.audioEndTokenID),
            audioPad: try check("<|audio_pad|>", config.thinker.audioTokenID),
            asrText: tokenizer.id(of: "<asr_text>"),
            timestamp: config.isForcedAligner ? try check("<timestamp>", config.timestampTokenID) : tokenizer.id(of: "<timestamp>"))
        if !config.isForcedAligner && tokens.asrText == nil {
            throw Qwen3ASRError.tokenMissing(token: "<asr_text>", folder: folder)
        }
        return tokens
    }

    /// `SinusoidsPositionEmbedding`: inv[i] = exp(−i·ln(10000)/(half − 1)), row p = [sin(p·inv) | cos(p·inv)],
    /// formed in float32 as torch does.
    static func sinusoids(rows: Int, channels: Int) -> [Float] {
        let half = channels / 2
        let increment = Float(log(10_000.0) / Double(half - 1))
        let inverse = (0..<half).map { Float(exp(Double(-increment * Float($0)))) }
        var table = [Float](repeating: 0, count: rows * channels)
        for p in 0..<rows {
            for i in 0..<half {
                let angle = Double(Float(p) * inverse[i])
                table[p * channels + i] = Float(sin(angle))
                table[p * channels + half + i] = Float(cos(angle))
            }
        }
        return table
    }
}

/// Working memory sized from the config at load, so a decode step allocates nothing. The encoder
/// runs a few attention windows at a time (windows never see each other), which bounds its
/// buffers for any clip length.
final class Qwen3Scratch {
    /// Attention windows the encoder processes per pass.
    static let encoderWindowsPerPass = 4
    /// Prompt rows the decoder prefills per pass (one GEMM per projection per pass). 512 holds a 30 s
    /// chunk's prompt (~416 rows) in one pass: group-int8 weights are widened to bf16 tiles once per
    /// pass, so two passes cost the 1.7B int8 prefill ~1 s more.
    static let prefillRows = 512

    // Encoder: C = downsample channels, H/W after each stride-2 conv, d = d_model.
    let windowTokens: Int        // tokens per full attention window (13 · 8 = 104)
    let encoderRows: Int         // windowTokens · encoderWindowsPerPass
    let chunkInput: ScratchBuffer  // [mel × chunkFrames]
    let conv1: ScratchBuffer       // [C × H1 × W1]
    let conv2: ScratchBuffer       // [C × H2 × W2]
    let conv3: ScratchBuffer       // [C × H3 × W3]
    let im2col: ScratchBuffer      // largest conv im2col
    let flat: ScratchBuffer        // [encoderRows × C·H3]
    let encHidden: ScratchBuffer   // [encoderRows × d]
    let encNormed: ScratchBuffer   // [encoderRows × d]
    let encQKV: ScratchBuffer      // [encoderRows × 3d]
    let encAttention: ScratchBuffer // [encoderRows × d]
    let encFFN: ScratchBuffer      // [encoderRows × ffn]
    let encScores: ScratchBuffer   // [windowTokens²]

    // Decoder: B = prefillRows, q = heads·headDim, kv = kvHeads·headDim, I = intermediate.
    let hidden: ScratchBuffer      // [B × hidden]
    let normed: ScratchBuffer      // [B × hidden]
    let qkv: ScratchBuffer         // [B × (q + 2kv)]
    let attention: ScratchBuffer   // [B × q]
    let gateUp: ScratchBuffer      // [B × 2I]
    let activated: ScratchBuffer   // [B × I]
    let scores: ScratchBuffer      // [B × keys], grows with the context
    let logits: ScratchBuffer      // [headRows]
    /// Dequantised weight tiles for GEMM and GEMV outputs of accumulating calls.
    let linear = LinearScratch()

    init(config: Qwen3ASRConfig) {
        let a = config.audio, t = config.text
        let channels = a.downsampleHiddenSize
        let h1 = (a.numMelBins - 1) / 2 + 1, h2 = (h1 - 1) / 2 + 1, h3 = (h2 - 1) / 2 + 1
        let w1 = (a.chunkFrames - 1) / 2 + 1, w2 = (w1 - 1) / 2 + 1, w3 = (w2 - 1) / 2 + 1
        windowTokens = w3 * (a.nWindowInfer / a.chunkFrames)
        encoderRows = windowTokens * Self.encoderWindowsPerPass
        let d = a.dModel
        chunkInput = ScratchBuffer(a.numMelBins * a.chunkFrames)
        conv1 = ScratchBuffer(channels * h1 * w1)
        conv2 = ScratchBuffer(channels * h2 * w2)
        conv3 = ScratchBuffer(channels * h3 * w3)
        im2col = ScratchBuffer(max(9 * h1 * w1, channels * 9 * h2 * w2, channels * 9 * h3 * w3))
        flat = ScratchBuffer(encoderRows * channels * h3)
        encHidden = ScratchBuffer(encoderRows * d)
        encNormed = ScratchBuffer(encoderRows * d)
        encQKV = ScratchBuffer(encoderRows * 3 * d)
        encAttention = ScratchBuffer(encoderRows * max(d, a.outputDim))
        encFFN = ScratchBuffer(encoderRows * a.encoderFFNDim)
        encScores = ScratchBuffer(windowTokens * windowTokens)

        let rows = Self.prefillRows
        let q = t.numAttentionHeads * t.headDim, kv = t.numKeyValueHeads * t.headDim
        hidden = ScratchBuffer(rows * t.hiddenSize)
        normed = ScratchBuffer(rows * t.hiddenSize)
        qkv = ScratchBuffer(rows * (q + 2 * kv))
        attention = ScratchBuffer(rows * q)
        gateUp = ScratchBuffer(rows * 2 * t.intermediateSize)
        activated = ScratchBuffer(rows * t.intermediateSize)
        scores = ScratchBuffer(rows * Qwen3ASR.initialCachePositions)
        logits = ScratchBuffer(config.headRows)
        dModel = d
        ffnDim = a.encoderFFNDim
        flatWidth = channels * h3
        outputDim = a.outputDim
    }

    private let dModel: Int, ffnDim: Int, flatWidth: Int, outputDim: Int

    /// Encoder buffers for `rows` rows in one pass (more than `encoderRows` only for whole-clip
    /// attention, whose score matrix is rows²).
    func reserveEncoder(rows: Int) {
        flat.reserve(rows * flatWidth)
        encHidden.reserve(rows * dModel)
        encNormed.reserve(rows * dModel)
        encQKV.reserve(rows * 3 * dModel)
        encAttention.reserve(rows * max(dModel, outputDim))
        encFFN.reserve(rows * ffnDim)
        encScores.reserve(rows * rows)
    }
}
