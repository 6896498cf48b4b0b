import Foundation

/// config.json of a Qwen3-ASR or Qwen3-ForcedAligner folder (qwen-asr 0.0.6,
/// `configuration_qwen3_asr.py`). Keys that decide shapes are required; keys a config may omit take
/// the reference class defaults. `validate` rejects values the reference would not run the way
/// Scriba does (see docs/qwen3-reference-notes.md).
public struct Qwen3ASRConfig: Decodable, Sendable, Equatable {
    public struct AudioEncoder: Decodable, Sendable, Equatable {
        public var numMelBins: Int
        public var dModel: Int
        public var encoderLayers: Int
        public var encoderAttentionHeads: Int
        public var encoderFFNDim: Int
        public var downsampleHiddenSize: Int
        public var outputDim: Int
        public var nWindow: Int
        public var nWindowInfer: Int
        public var maxSourcePositions: Int
        public var activationFunction: String

        enum CodingKeys: String, CodingKey {
            case numMelBins = "num_mel_bins", dModel = "d_model", encoderLayers = "encoder_layers"
            case encoderAttentionHeads = "encoder_attention_heads", encoderFFNDim = "encoder_ffn_dim"
            case downsampleHiddenSize = "downsample_hidden_size", outputDim = "output_dim"
            case nWindow = "n_window", nWindowInfer = "n_window_infer"
            case maxSourcePositions = "max_source_positions", activationFunction = "activation_function"
        }

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            numMelBins = try c.decodeIfPresent(Int.self, forKey: .numMelBins) ?? 128
            dModel = try c.decode(Int.self, forKey: .dModel)
            encoderLayers = try c.decode(Int.self, forKey: .encoderLayers)
            encoderAttentionHeads = try c.decode(Int.self, forKey: .encoderAttentionHeads)
            encoderFFNDim = try c.decode(Int.self, forKey: .encoderFFNDim)
            downsampleHiddenSize = try c.decodeIfPresent(Int.self, forKey: .downsampleHiddenSize) ?? 480
            outputDim = try c.decode(Int.self, forKey: .outputDim)
            // Class defaults (100/400) are not what released checkpoints use; validate() rejects them.
            nWindow = try c.decodeIfPresent(Int.self, forKey: .nWindow) ?? 100
            nWindowInfer = try c.decodeIfPresent(Int.self, forKey: .nWindowInfer) ?? 400
            maxSourcePositions = try c.decodeIfPresent(Int.self, forKey: .maxSourcePositions) ?? 1500
            activationFunction = try c.decodeIfPresent(String.self, forKey: .activationFunction) ?? "gelu"
        }

        /// Mel frames per convolution chunk (`2 · n_window`).
        public var chunkFrames: Int { 2 * nWindow }
        /// Mel rows left after three stride-2 convolutions (128 → 16).
        public var convolvedMelBins: Int { Qwen3ASRConfig.halvedThrice(numMelBins) }
        public var headDim: Int { dModel / encoderAttentionHeads }
    }

    public struct RopeScaling: Decodable, Sendable, Equatable {
        public var ropeType: String?
        public var mropeSection: [Int]?
        enum CodingKeys: String, CodingKey { case ropeType = "rope_type", type, mropeSection = "mrope_section" }
        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            ropeType = try c.decodeIfPresent(String.self, forKey: .ropeType) ?? c.decodeIfPresent(String.self, forKey: .type)
            mropeSection = try c.decodeIfPresent([Int].self, forKey: .mropeSection)
        }
    }

    public struct TextDecoder: Decodable, Sendable, Equatable {
        public var vocabSize: Int
        public var hiddenSize: Int
        public var intermediateSize: Int
        public var numHiddenLayers: Int
        public var numAttentionHeads: Int
        public var numKeyValueHeads: Int
        public var headDim: Int
        public var hiddenAct: String
        public var rmsNormEps: Float
        public var ropeTheta: Double
        public var ropeScaling: RopeScaling?
        public var tieWordEmbeddings: Bool
        public var attentionBias: Bool
        public var maxPositionEmbeddings: Int

        enum CodingKeys: String, CodingKey {
            case vocabSize = "vocab_size", hiddenSize = "hidden_size", intermediateSize = "intermediate_size"
            case numHiddenLayers = "num_hidden_layers", numAttentionHeads = "num_attention_heads"
            case numKeyValueHeads = "num_key_value_heads", headDim = "head_dim", hiddenAct = "hidden_act"
            case rmsNormEps = "rms_norm_eps", ropeTheta = "rope_theta", ropeScaling = "rope_scaling"
            case tieWordEmbeddings = "tie_word_embeddings", attentionBias = "attention_bias"
            case maxPositionEmbeddings = "max_position_embeddings"
        }

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            vocabSize = try c.decode(Int.self, forKey: .vocabSize)
            hiddenSize = try c.decode(Int.self, forKey: .hiddenSize)
            intermediateSize = try c.decode(Int.self, forKey: .intermediateSize)
            numHiddenLayers = try c.decode(Int.self, forKey: .numHiddenLayers)
            numAttentionHeads = try c.decode(Int.self, forKey: .numAttentionHeads)
            // Reference: num_key_value_heads None → num_attention_heads.
            numKeyValueHeads = try c.decodeIfPresent(Int.self, forKey: .numKeyValueHeads) ?? numAttentionHeads
            headDim = try c.decodeIfPresent(Int.self, forKey: .headDim) ?? 128
            hiddenAct = try c.decodeIfPresent(String.self, forKey: .hiddenAct) ?? "silu"
            rmsNormEps = try c.decodeIfPresent(Float.self, forKey: .rmsNormEps) ?? 1e-6
            // The class default is 5e6; released configs say 1e6, so the file's value always wins.
            ropeTheta = try c.decodeIfPresent(Double.self, forKey: .ropeTheta) ?? 5_000_000
            ropeScaling = try c.decodeIfPresent(RopeScaling.self, forKey: .ropeScaling)
            tieWordEmbeddings = try c.decodeIfPresent(Bool.self, forKey: .tieWordEmbeddings) ?? false
            attentionBias = try c.decodeIfPresent(Bool.self, forKey: .attentionBias) ?? false
            maxPositionEmbeddings = try c.decodeIfPresent(Int.self, forKey: .maxPositionEmbeddings) ?? 128_000
        }
    }

    public struct Thinker: Decodable, Sendable, Equatable {
        public var audioConfig: AudioEncoder
        public var textConfig: TextDecoder
        public var modelType: String?
        public var audioTokenID: Int?
        public var audioStartTokenID: Int?
        public var audioEndTokenID: Int?
        /// Classifier classes of the forced aligner's head (absent for ASR).
        public var classifyNum: Int?

        enum CodingKeys: String, CodingKey {
            case audioConfig = "audio_config", textConfig = "text_config", modelType = "model_type"
            case audioTokenID = "audio_token_id", audioStartTokenID = "audio_start_token_id"
            case audioEndTokenID = "audio_end_token_id", classifyNum = "classify_num"
        }
    }

    public var thinker: Thinker
    /// English names the checkpoint accepts (`support_languages`); empty when config.json omits it.
    public var supportLanguages: [String]
    /// Forced aligner only: the `<timestamp>` slot token and the ms per classifier bin.
    public var timestampTokenID: Int?
    public var timestampSegmentTime: Double?

    enum CodingKeys: String, CodingKey {
        case thinker = "thinker_config", supportLanguages = "support_languages"
        case timestampTokenID = "timestamp_token_id", timestampSegmentTime = "timestamp_segment_time"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        thinker = try c.decode(Thinker.self, forKey: .thinker)
        supportLanguages = try c.decodeIfPresent([String].self, forKey: .supportLanguages) ?? []
        timestampTokenID = try c.decodeIfPresent(Int.self, forKey: .timestampTokenID)
        timestampSegmentTime = try c.decodeIfPresent(Double.self, forKey: .timestampSegmentTime)
    }

    public var audio: AudioEncoder { thinker.audioConfig }
    public var text: TextDecoder { thinker.textConfig }

    /// The reference builds the aligner head when "forced_aligner" is in the thinker's model_type
    /// (`save_pretrained` loses that string, so `classify_num` counts too).
    public var isForcedAligner: Bool {
        (thinker.modelType ?? "").contains("forced_aligner") || thinker.classifyNum != nil
    }

    /// Rows of the output head: the vocabulary, or the aligner's classes.
    public var headRows: Int { isForcedAligner ? (thinker.classifyNum ?? text.vocabSize) : text.vocabSize }

    /// Reads and validates `folder/config.json`.
    public static func load(folder: URL) throws -> Qwen3ASRConfig {
        let url = folder.appendingPathComponent("config.json")
        guard FileManager.default.fileExists(atPath: url.path) else { throw ModelLoadError.fileMissing(url) }
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ModelLoadError.unreadable(url, reason: error.localizedDescription)
        }
        let config: Qwen3ASRConfig
        do {
            config = try JSONDecoder().decode(Qwen3ASRConfig.self, from: data)
        } catch let error as DecodingError {
            throw Qwen3ASRError.configInvalid(url, detail: Self.describe(error))
        } catch {
            throw Qwen3ASRError.configInvalid(url, detail: "\(error)")
        }
        try config.validate(file: url)
        return config
    }

    /// Rejects shapes that cannot work and settings the reference would run differently.
    public func validate(file url: URL) throws {
        func unsupported(_ key: String, _ value: Any, _ supported: String) -> Qwen3ASRError {
            .configUnsupported(url, key: key, value: "\(value)", supported: supported)
        }
        let a = audio, t = text
        let positive: [(String, Int)] = [
            ("audio_config.num_mel_bins", a.numMelBins), ("audio_config.d_model", a.dModel),
            ("audio_config.encoder_layers", a.encoderLayers), ("audio_config.encoder_attention_heads", a.encoderAttentionHeads),
            ("audio_config.encoder_ffn_dim", a.encoderFFNDim), ("audio_config.downsample_hidden_size", a.downsampleHiddenSize),
            ("audio_config.output_dim", a.outputDim), ("audio_config.max_source_positions", a.maxSourcePositions),
            ("text_config.vocab_size", t.vocabSize), ("text_config.hidden_size", t.hiddenSize),
            ("text_config.intermediate_size", t.intermediateSize), ("text_config.num_hidden_layers", t.numHiddenLayers),
            ("text_config.num_attention_heads", t.numAttentionHeads), ("text_config.num_key_value_heads", t.numKeyValueHeads),
            ("text_config.head_dim", t.headDim),
        ]
        for (key, value) in positive where value <= 0 {
            throw unsupported("thinker_config." + key, value, "a positive integer")
        }
        // Upper bounds far above any released checkpoint (1.7B: hidden 2048, vocab 151k, 28 layers)
        // so a lying config fails here, before a shape product overflows or a buffer is sized from it.
        for (key, value) in positive where value > Self.maxDimension(key) {
            throw unsupported("thinker_config." + key, value, "at most \(Self.maxDimension(key))")
        }
        guard t.maxPositionEmbeddings > 0 else {
            throw unsupported("thinker_config.text_config.max_position_embeddings", t.maxPositionEmbeddings, "a positive integer")
        }
        // The processor hard-codes 100-frame chunks (13 tokens each); any other n_window makes its
        // placeholder count disagree with the encoder's output, so the reference itself fails.
        guard a.nWindow == 50 else { throw unsupported("thinker_config.audio_config.n_window", a.nWindow, "50") }
        guard a.nWindowInfer >= a.chunkFrames, a.nWindowInfer % a.chunkFrames == 0 else {
            throw unsupported("thinker_config.audio_config.n_window_infer", a.nWindowInfer, "a multiple of 2·n_window = \(a.chunkFrames) (800 in released checkpoints)")
        }
        // Each chunk adds sinusoid rows 0..<13; the reference's table has max_source_positions rows.
        guard a.maxSourcePositions >= Self.halvedThrice(a.chunkFrames) else {
            throw unsupported("thinker_config.audio_config.max_source_positions", a.maxSourcePositions, "at least \(Self.halvedThrice(a.chunkFrames)) (positions per chunk)")
        }
        guard a.dModel % a.encoderAttentionHeads == 0 else {
            throw unsupported("thinker_config.audio_config.encoder_attention_heads", a.encoderAttentionHeads, "a divisor of d_model \(a.dModel)")
        }
        guard a.dModel % 2 == 0, a.dModel >= 4 else {
            throw unsupported("thinker_config.audio_config.d_model", a.dModel, "an even size ≥ 4 (sinusoidal positions)")
        }
        guard a.activationFunction == "gelu" else {
            throw unsupported("thinker_config.audio_config.activation_function", a.activationFunction, "\"gelu\"")
        }
        guard a.outputDim == t.hiddenSize else {
            throw unsupported("thinker_config.audio_config.output_dim", a.outputDim, "text_config.hidden_size = \(t.hiddenSize)")
        }
        guard t.numAttentionHeads % t.numKeyValueHeads == 0 else {
            throw unsupported("thinker_config.text_config.num_key_value_heads", t.numKeyValueHeads, "a divisor of num_attention_heads \(t.numAttentionHeads)")
        }
        guard t.headDim % 2 == 0 else { throw unsupported("thinker_config.text_config.head_dim", t.headDim, "an even size (RoPE)") }
        guard t.hiddenAct == "silu" else { throw unsupported("thinker_config.text_config.hidden_act", t.hiddenAct, "\"silu\"") }
        guard !t.attentionBias else { throw unsupported("thinker_config.text_config.attention_bias", true, "false") }
        // All three M-RoPE rows carry the same positions for audio + text, so only plain RoPE is needed.
        if let type = t.ropeScaling?.ropeType, type != "default" {
            throw unsupported("thinker_config.text_config.rope_scaling.rope_type", type, "\"default\"")
        }
        guard t.ropeTheta > 0 else { throw unsupported("thinker_config.text_config.rope_theta", t.ropeTheta, "a positive number") }
        if isForcedAligner {
            guard let classes = thinker.classifyNum, classes > 0 else {
                throw unsupported("thinker_config.classify_num", thinker.classifyNum.map { "\($0)" } ?? "missing", "a positive class count")
            }
            guard timestampTokenID != nil else { throw Qwen3ASRError.configInvalid(url, detail: "the aligner config lacks top-level \"timestamp_token_id\"") }
            guard let segment = timestampSegmentTime, segment > 0 else {
                throw unsupported("timestamp_segment_time", timestampSegmentTime.map { "\($0)" } ?? "missing", "a positive number of milliseconds per bin")
            }
        }
    }

    /// Three stride-2, padding-1, kernel-3 convolutions: ceil-halving three times (0 stays 0).
    /// Largest accepted value of a size key: layer and head counts 1024, the vocabulary 2^22 rows,
    /// every width 2^16 (a [2^16, 2^16] matrix is already 16 GB of Float).
    static func maxDimension(_ key: String) -> Int {
        if key.hasSuffix("layers") || key.hasSuffix("heads") { return 1 << 10 }
        if key.hasSuffix("vocab_size") { return 1 << 22 }
        return 1 << 16
    }

    static func halvedThrice(_ n: Int) -> Int {
        var x = n
        for _ in 0..<3 { x = x <= 0 ? 0 : (x - 1) / 2 + 1 }
        return x
    }

    /// Audio tokens the encoder emits for `frames` mel frames
    /// (`processing:_get_feat_extract_output_lengths`): 13 per full 100-frame chunk plus the tail.
    public func audioTokenCount(frames: Int) -> Int {
        let chunk = audio.chunkFrames
        return (frames / chunk) * Self.halvedThrice(chunk) + Self.halvedThrice(frames % chunk)
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [CodingKey]) -> String { keys.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".") }
        switch error {
        case .keyNotFound(let key, let context):
            let parent = path(context.codingPath)
            return "missing key \"\(parent.isEmpty ? "" : parent + ".")\(key.stringValue)\""
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "\"\(path(context.codingPath))\" has the wrong type (\(context.debugDescription))"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not valid JSON" : "\"\(path(context.codingPath))\" is invalid (\(context.debugDescription))"
        @unknown default:
            return "\(error)"
        }
    }
}
