// Whisper (OpenAI, encoder–decoder speech recognition) in native Swift: configuration, the weight-name
// table, weight structs and loading. Follows CTranslate2 4.8.5 (`src/layers/whisper.cc`,
// `src/models/whisper.cc`) as faster-whisper 1.2.1 drives it; see docs/whisper-ct2-layout.md for the
// exact layout. Two checkpoint layouts load into the same structs: CTranslate2 `model.bin` (fused Q/K/V,
// float16 rows converted to the precision chosen) and Hugging Face `openai/whisper-*` safetensors (separate q/k/v projections,
// fused here at load; k_proj has no bias, so its slice of the fused bias is zeros, as CT2's converter does).
// Forward passes live in WhisperSession.swift, decoding in WhisperTranscriber.swift, word timing in
// WhisperWordTiming.swift. Every linear is held in `precision` (f32, bf16 or int8). Left out: int8 CT2 files (a typed
// error names the tensor), English-only (.en) vocabularies' special ids
// are looked up by name so they work, but translation and prompts/prefixes/hotwords are not exposed.

import Foundation
import ScribaTensor

// MARK: - Configuration

/// One cross-attention head whose weights track word timing (config.json `alignment_heads`).
public struct WhisperAlignmentHead: Sendable, Equatable {
    public var layer: Int
    public var head: Int
    public init(layer: Int, head: Int) { self.layer = layer; self.head = head }
}

/// Sizes (derived from the weights, so they can never disagree with them) plus the decoding constants
/// config.json carries.
public struct WhisperConfig: Sendable, Equatable {
    public var melBins: Int          // conv1 input channels (80; 128 for large-v3)
    public var modelDim: Int         // d_model
    public var encoderLayers: Int
    public var decoderLayers: Int
    public var encoderHeads: Int
    public var decoderHeads: Int
    public var ffnDim: Int
    public var vocabularySize: Int
    public var audioPositions: Int   // encoder positions (1500 = 3000 mel frames / conv2 stride 2)
    public var textPositions: Int    // decoder positions (448)
    public var alignmentHeads: [WhisperAlignmentHead]
    public var languageIDs: [Int]
    public var suppressIDs: [Int]
    public var suppressIDsBegin: [Int]

    public var headDim: Int { modelDim / max(1, decoderHeads) }
    /// Mel frames one encoder window takes (conv2 has stride 2).
    public var windowFrames: Int { audioPositions * 2 }

    /// Rejects impossible shapes, with the reason.
    public func validate() throws(WhisperError) {
        func bad(_ why: String) -> WhisperError { .invalidConfig(why) }
        guard melBins > 0, modelDim > 0, ffnDim > 0, vocabularySize > 0 else {
            throw bad("mel bins \(melBins), d_model \(modelDim), FFN \(ffnDim) and vocabulary \(vocabularySize) must all be positive")
        }
        guard encoderLayers > 0, decoderLayers > 0 else { throw bad("the model has no encoder or no decoder layers") }
        guard encoderHeads > 0, decoderHeads > 0, modelDim % encoderHeads == 0, modelDim % decoderHeads == 0 else {
            throw bad("\(encoderHeads)/\(decoderHeads) heads do not divide d_model \(modelDim)")
        }
        guard audioPositions > 0, textPositions > 4 else {
            throw bad("\(audioPositions) audio and \(textPositions) text positions are too few")
        }
        for head in alignmentHeads where head.layer < 0 || head.layer >= decoderLayers || head.head < 0 || head.head >= decoderHeads {
            throw bad("alignment head [\(head.layer), \(head.head)] is outside \(decoderLayers) layers × \(decoderHeads) heads")
        }
        for id in languageIDs + suppressIDs + suppressIDsBegin where id < 0 || id >= vocabularySize {
            throw bad("token id \(id) in lang_ids/suppress_ids is outside the \(vocabularySize)-token vocabulary")
        }
    }
}

/// config.json of a CTranslate2 Whisper folder (the decoding constants; sizes come from the weights).
struct WhisperCT2ConfigFile: Decodable {
    var alignmentHeads: [[Int]]?
    var langIDs: [Int]?
    var suppressIDs: [Int]?
    var suppressIDsBegin: [Int]?
    enum CodingKeys: String, CodingKey {
        case alignmentHeads = "alignment_heads", langIDs = "lang_ids"
        case suppressIDs = "suppress_ids", suppressIDsBegin = "suppress_ids_begin"
    }
}

/// Hugging Face config.json / generation_config.json keys the HF layout needs.
struct WhisperHFConfigFile: Decodable {
    var encoderAttentionHeads: Int?
    var decoderAttentionHeads: Int?
    var alignmentHeads: [[Int]]?
    var langToID: [String: Int]?
    var suppressTokens: [Int]?
    var beginSuppressTokens: [Int]?
    enum CodingKeys: String, CodingKey {
        case encoderAttentionHeads = "encoder_attention_heads", decoderAttentionHeads = "decoder_attention_heads"
        case alignmentHeads = "alignment_heads", langToID = "lang_to_id"
        case suppressTokens = "suppress_tokens", beginSuppressTokens = "begin_suppress_tokens"
    }
}

// MARK: - Weight names

/// Every checkpoint tensor the model reads, by CTranslate2 name, with its expected shape. The Hugging Face
/// layout is mapped onto these names by `WhisperHFSource`.
enum WhisperWeightNames {
    typealias Entry = (name: String, shape: [Int])

    static func encoder(_ c: WhisperConfig) -> [Entry] {
        let d = c.modelDim
        return [
            ("encoder/conv1/weight", [d, c.melBins, 3]), ("encoder/conv1/bias", [d]),
            ("encoder/conv2/weight", [d, d, 3]), ("encoder/conv2/bias", [d]),
            ("encoder/position_encodings/encodings", [c.audioPositions, d]),
            ("encoder/layer_norm/gamma", [d]), ("encoder/layer_norm/beta", [d]),
        ]
    }

    static func encoderLayer(_ i: Int, _ c: WhisperConfig) -> [Entry] {
        let p = "encoder/layer_\(i)", d = c.modelDim
        return [
            ("\(p)/self_attention/layer_norm/gamma", [d]), ("\(p)/self_attention/layer_norm/beta", [d]),
            ("\(p)/self_attention/linear_0/weight", [3 * d, d]), ("\(p)/self_attention/linear_0/bias", [3 * d]),
            ("\(p)/self_attention/linear_1/weight", [d, d]), ("\(p)/self_attention/linear_1/bias", [d]),
        ] + ffn(p, c)
    }

    static func decoder(_ c: WhisperConfig) -> [Entry] {
        let d = c.modelDim
        return [
            ("decoder/embeddings/weight", [c.vocabularySize, d]),
            ("decoder/position_encodings/encodings", [c.textPositions, d]),
            ("decoder/layer_norm/gamma", [d]), ("decoder/layer_norm/beta", [d]),
        ]
    }

    static func decoderLayer(_ i: Int, _ c: WhisperConfig) -> [Entry] {
        let p = "decoder/layer_\(i)", d = c.modelDim
        return [
            ("\(p)/self_attention/layer_norm/gamma", [d]), ("\(p)/self_attention/layer_norm/beta", [d]),
            ("\(p)/self_attention/linear_0/weight", [3 * d, d]), ("\(p)/self_attention/linear_0/bias", [3 * d]),
            ("\(p)/self_attention/linear_1/weight", [d, d]), ("\(p)/self_attention/linear_1/bias", [d]),
            ("\(p)/attention/layer_norm/gamma", [d]), ("\(p)/attention/layer_norm/beta", [d]),
            ("\(p)/attention/linear_0/weight", [d, d]), ("\(p)/attention/linear_0/bias", [d]),
            ("\(p)/attention/linear_1/weight", [2 * d, d]), ("\(p)/attention/linear_1/bias", [2 * d]),
            ("\(p)/attention/linear_2/weight", [d, d]), ("\(p)/attention/linear_2/bias", [d]),
        ] + ffn(p, c)
    }

    private static func ffn(_ p: String, _ c: WhisperConfig) -> [Entry] {
        let d = c.modelDim
        return [
            ("\(p)/ffn/layer_norm/gamma", [d]), ("\(p)/ffn/layer_norm/beta", [d]),
            ("\(p)/ffn/linear_0/weight", [c.ffnDim, d]), ("\(p)/ffn/linear_0/bias", [c.ffnDim]),
            ("\(p)/ffn/linear_1/weight", [d, c.ffnDim]), ("\(p)/ffn/linear_1/bias", [d]),
        ]
    }

    static func all(_ c: WhisperConfig) -> [Entry] {
        encoder(c) + (0..<c.encoderLayers).flatMap { encoderLayer($0, c) }
            + decoder(c) + (0..<c.decoderLayers).flatMap { decoderLayer($0, c) }
    }
}

// MARK: - Weight structs

/// y = x·Wᵀ + b, W stored [out, in] as a `WeightMatrix` in the model's precision. Decoder calls see a
/// handful of rows (one per step, or a short prompt): up to `gemvRows` stream the weights once through
/// GEMV. More rows (the encoder's 1500, longer prompts) go through `Linear.forward`'s matrix product:
/// sgemm on f32 weights in place (exact), oneDNN's bf16 / int8 matmul for the other precisions.
struct WhisperLinear: Sendable {
    var weight: WeightMatrix
    var bias: [Float]
    /// Most rows one GEMV call streams the weights for; beyond this a matrix product wins.
    static let gemvRows = 16

    func forward(_ x: UnsafePointer<Float>, rows: Int, output: UnsafeMutablePointer<Float>, scratch: LinearScratch) {
        bias.withUnsafeBufferPointer { b in
            Linear.forward(x, rows: rows, weight: weight, bias: b.baseAddress, output: output, scratch: scratch,
                           gemvMaxRows: Self.gemvRows)
        }
    }
}

struct WhisperNorm: Sendable {
    var gamma: [Float]
    var beta: [Float]
    /// LayerNorm eps of every Whisper LN (torch default).
    static let eps: Float = 1e-5

    func forward(_ x: UnsafePointer<Float>, rows: Int, dim: Int, output: UnsafeMutablePointer<Float>) {
        gamma.withUnsafeBufferPointer { g in
            beta.withUnsafeBufferPointer { b in
                Norms.layerNorm(x, output, rows: rows, dim: dim, weight: g.baseAddress!, bias: b.baseAddress, eps: Self.eps)
            }
        }
    }
}

struct WhisperEncoderLayerWeights: Sendable {
    var attentionNorm: WhisperNorm
    var qkv: WhisperLinear        // [3d, d]: rows q | k | v
    var attentionOut: WhisperLinear
    var ffnNorm: WhisperNorm
    var fc1: WhisperLinear
    var fc2: WhisperLinear
}

struct WhisperDecoderLayerWeights: Sendable {
    var selfNorm: WhisperNorm
    var selfQKV: WhisperLinear    // [3d, d]
    var selfOut: WhisperLinear
    var crossNorm: WhisperNorm
    var crossQuery: WhisperLinear // [d, d]
    var crossKeyValue: WhisperLinear // [2d, d]: rows k | v, applied to the 1500 encoder rows once per window
    var crossOut: WhisperLinear
    var ffnNorm: WhisperNorm
    var fc1: WhisperLinear
    var fc2: WhisperLinear
}

struct WhisperWeights: Sendable {
    var conv1Weight: [Float], conv1Bias: [Float]
    var conv2Weight: [Float], conv2Bias: [Float]
    var encoderPositions: [Float]     // [audioPositions, d]
    var encoderLayers: [WhisperEncoderLayerWeights]
    var encoderNorm: WhisperNorm
    var embeddings: WeightMatrix      // [vocab, d]; also the output projection (tied), read by GEMV
    var decoderPositions: [Float]     // [textPositions, d]
    var decoderLayers: [WhisperDecoderLayerWeights]
    var decoderNorm: WhisperNorm
}

// MARK: - Tensor sources

/// Where the loader reads tensors from, by CTranslate2 name.
protocol WhisperTensorSource {
    var url: URL { get }
    /// Shape of `name`, or nil when absent.
    func shape(_ name: String) throws -> [Int]?
    func floats(_ name: String) throws -> [Float]
    /// A 2-D tensor as a `WeightMatrix` in `precision`.
    func matrix(_ name: String, precision: WeightPrecision) throws -> WeightMatrix
    func scalar(_ name: String) throws -> Int?
    /// The name to report when `name` is missing (the checkpoint's own spelling).
    func displayName(_ name: String) -> String
}

extension WhisperTensorSource {
    func displayName(_ name: String) -> String { name }

    func matrix(_ name: String, precision: WeightPrecision) throws -> WeightMatrix {
        guard let shape = try shape(name), shape.count == 2 else { throw ModelLoadError.tensorMissing(name: displayName(name), in: url) }
        return try WeightMatrix(rows: shape[0], cols: shape[1], values: try floats(name), precision: precision)
    }
}

struct WhisperCT2Source: WhisperTensorSource {
    let model: CTranslate2Model
    var url: URL { model.url }
    func shape(_ name: String) throws -> [Int]? { model.contains(name) ? try model.info(name).shape : nil }
    func floats(_ name: String) throws -> [Float] { try model.floats(name) }
    func scalar(_ name: String) throws -> Int? { model.contains(name) ? try model.scalarInt(name) : nil }

    /// Straight from the mapped float16/float32 bytes: one conversion, no intermediate [Float].
    func matrix(_ name: String, precision: WeightPrecision) throws -> WeightMatrix {
        let info = try model.info(name)
        let type: WeightSourceType
        switch info.dtype {
        case .float16: type = .f16
        case .float32: type = .f32
        case .bfloat16: type = .bf16
        default: throw WhisperError.invalidConfig("\(name) is stored as \(info.dtype); Scriba reads float16/float32/bfloat16 CTranslate2 Whisper weights (convert with --quantization float16)")
        }
        guard info.shape.count == 2 else {
            throw ModelLoadError.shapeMismatch(tensor: name, expected: [-1, -1], found: info.shape, file: url)
        }
        return try model.withUnsafeBytes(of: name) { bytes in
            try WeightMatrix(rows: info.shape[0], cols: info.shape[1], bytes: bytes, type: type, precision: precision)
        }
    }
}

/// Hugging Face `WhisperForConditionalGeneration` names mapped onto CTranslate2's, fusing q/k/v at load.
struct WhisperHFSource: WhisperTensorSource {
    let checkpoint: SafeTensorsCheckpoint
    let encoderHeads: Int
    let decoderHeads: Int
    var url: URL { checkpoint.folder }

    /// One CT2 tensor = these HF tensors concatenated along dim 0; nil entries are zero blocks
    /// (k_proj.bias does not exist) of the given row count.
    private func parts(_ name: String) -> [(hf: String?, rows: Int?)]? {
        var n = name
        let prefix: String
        if n.hasPrefix("encoder/") { prefix = "model.encoder."; n.removeFirst("encoder/".count) }
        else if n.hasPrefix("decoder/") { prefix = "model.decoder."; n.removeFirst("decoder/".count) }
        else { return nil }
        let leaf = n.hasSuffix("/gamma") ? "weight" : n.hasSuffix("/beta") ? "bias" : String(n.split(separator: "/").last ?? "")
        switch n {
        case "conv1/weight", "conv1/bias", "conv2/weight", "conv2/bias": return [(prefix + n.replacingOccurrences(of: "/", with: "."), nil)]
        case "position_encodings/encodings": return [(prefix + "embed_positions.weight", nil)]
        case "embeddings/weight": return [(prefix + "embed_tokens.weight", nil)]
        case "layer_norm/gamma", "layer_norm/beta": return [(prefix + "layer_norm." + leaf, nil)]
        default: break
        }
        // layer_N/<block>/...
        let pieces = n.split(separator: "/").map(String.init)
        guard pieces.count >= 3, pieces[0].hasPrefix("layer_"), let index = Int(pieces[0].dropFirst(6)) else { return nil }
        let layer = prefix + "layers.\(index)."
        let block = pieces[1], part = pieces[2]
        let isBias = leaf == "bias"
        let hfLeaf = isBias ? "bias" : "weight"
        let attention = block == "self_attention" ? "self_attn" : "encoder_attn"
        switch (block, part) {
        case ("self_attention", "layer_norm"): return [(layer + "self_attn_layer_norm." + hfLeaf, nil)]
        case ("attention", "layer_norm"): return [(layer + "encoder_attn_layer_norm." + hfLeaf, nil)]
        case ("ffn", "layer_norm"): return [(layer + "final_layer_norm." + hfLeaf, nil)]
        case ("ffn", "linear_0"): return [(layer + "fc1." + hfLeaf, nil)]
        case ("ffn", "linear_1"): return [(layer + "fc2." + hfLeaf, nil)]
        case ("self_attention", "linear_0"):
            let a = layer + attention
            return [(a + ".q_proj." + hfLeaf, nil), (isBias ? nil : a + ".k_proj.weight", isBias ? -1 : nil), (a + ".v_proj." + hfLeaf, nil)]
        case ("self_attention", "linear_1"), ("attention", "linear_2"): return [(layer + attention + ".out_proj." + hfLeaf, nil)]
        case ("attention", "linear_0"): return [(layer + "encoder_attn.q_proj." + hfLeaf, nil)]
        case ("attention", "linear_1"):
            let a = layer + "encoder_attn"
            return [(isBias ? nil : a + ".k_proj.weight", isBias ? -1 : nil), (a + ".v_proj." + hfLeaf, nil)]
        default: return nil
        }
    }

    func displayName(_ name: String) -> String {
        parts(name)?.compactMap(\.hf).first(where: { !checkpoint.contains($0) }) ?? name
    }

    func shape(_ name: String) throws -> [Int]? {
        guard let parts = parts(name) else { return nil }
        // Wholly absent → nil (how layer counting stops); partly absent → name the missing piece.
        guard parts.contains(where: { $0.hf.map(checkpoint.contains) ?? false }) else { return nil }
        var rows = 0
        var rest: [Int] = []
        var zeroBlocks = 0
        for part in parts {
            guard let hf = part.hf else { zeroBlocks += 1; continue }
            guard checkpoint.contains(hf) else { throw ModelLoadError.tensorMissing(name: hf, in: url) }
            let shape = try checkpoint.info(hf).shape
            guard let first = shape.first else { return shape }
            rows += first
            rest = Array(shape.dropFirst())
        }
        // A missing k_proj bias has the rows of the v_proj bias beside it.
        if zeroBlocks > 0 { rows += zeroBlocks * (rows / (parts.count - zeroBlocks)) }
        return [rows] + rest
    }

    func floats(_ name: String) throws -> [Float] {
        guard let parts = parts(name) else { throw ModelLoadError.tensorMissing(name: name, in: url) }
        var blocks: [[Float]?] = []
        var blockCount = 0
        for part in parts {
            if let hf = part.hf {
                let values = try checkpoint.floats(hf)
                blockCount = values.count
                blocks.append(values)
            } else {
                blocks.append(nil)
            }
        }
        return blocks.flatMap { $0 ?? [Float](repeating: 0, count: blockCount) }
    }

    func scalar(_ name: String) throws -> Int? {
        switch name {
        case "encoder/num_heads": return encoderHeads
        case "decoder/num_heads": return decoderHeads
        default: return nil
        }
    }
}

// MARK: - Model

/// Loaded Whisper weights and config; immutable, so one instance serves any number of sessions.
public final class WhisperModel: Sendable {
    public let config: WhisperConfig
    /// How every linear and the output projection are stored (and, with oneDNN, multiplied when many
    /// rows go through them); conv kernels, norms and biases stay f32.
    public let precision: WeightPrecision
    let weights: WhisperWeights

    /// Loads a model folder: CTranslate2 (`model.bin` + config.json) or Hugging Face
    /// (`model.safetensors` + config.json + generation_config.json). `precision` applies to every linear
    /// and the tied output projection: `.f32` equals faster-whisper's float32 greedy tokens; `.int8()`
    /// reads about a quarter of the bytes per decode step. nil: `defaultPrecision`.
    public convenience init(folder: URL, precision: WeightPrecision? = nil) throws {
        let precision = precision ?? Self.defaultPrecision
        let fileManager = FileManager.default
        if fileManager.fileExists(atPath: folder.appendingPathComponent("model.bin").path) {
            let model = try CTranslate2Model(folder: folder)
            let file: WhisperCT2ConfigFile = try Self.readJSON(folder.appendingPathComponent("config.json"))
            let constants = WhisperDecodingConstants(
                alignmentHeads: file.alignmentHeads ?? [], languageIDs: file.langIDs ?? [],
                suppressIDs: file.suppressIDs ?? [], suppressIDsBegin: file.suppressIDsBegin ?? [])
            try self.init(source: WhisperCT2Source(model: model), constants: constants, precision: precision)
        } else {
            let checkpoint = try SafeTensorsCheckpoint(folder: folder)
            let config: WhisperHFConfigFile = try Self.readJSON(folder.appendingPathComponent("config.json"))
            let generationURL = folder.appendingPathComponent("generation_config.json")
            let generation: WhisperHFConfigFile? = fileManager.fileExists(atPath: generationURL.path)
                ? try Self.readJSON(generationURL) : nil
            guard let encoderHeads = config.encoderAttentionHeads, let decoderHeads = config.decoderAttentionHeads else {
                throw WhisperError.invalidConfig("\(folder.lastPathComponent)/config.json lacks encoder_attention_heads/decoder_attention_heads")
            }
            let constants = WhisperDecodingConstants(
                alignmentHeads: generation?.alignmentHeads ?? config.alignmentHeads ?? [],
                languageIDs: (generation?.langToID ?? config.langToID).map { $0.values.sorted() } ?? [],
                suppressIDs: generation?.suppressTokens ?? config.suppressTokens ?? [],
                suppressIDsBegin: generation?.beginSuppressTokens ?? config.beginSuppressTokens ?? [])
            let source = WhisperHFSource(checkpoint: checkpoint, encoderHeads: encoderHeads, decoderHeads: decoderHeads)
            try self.init(source: source, constants: constants, precision: precision)
        }
    }

    /// The precision a model loads in when none is asked for: int8 with 128-column scales, the fastest
    /// whose text equals f32's on the LibriVox comparison clips (bf16 changed one clip's punctuation);
    /// the whole process then takes 0.79× faster-whisper int8's wall time (docs/benchmarks.md, "Speed II").
    public static let defaultPrecision: WeightPrecision = .int8(groupSize: 128)

    init(source: some WhisperTensorSource, constants: WhisperDecodingConstants, precision: WeightPrecision = .f32) throws {
        let config = try Self.deriveConfig(source, constants: constants)
        try config.validate()
        // Check every name and shape before converting anything, so a wrong file fails fast and names
        // the first bad tensor.
        for entry in WhisperWeightNames.all(config) {
            guard let shape = try source.shape(entry.name) else {
                throw ModelLoadError.tensorMissing(name: source.displayName(entry.name), in: source.url)
            }
            guard shape == entry.shape else {
                throw ModelLoadError.shapeMismatch(tensor: entry.name, expected: entry.shape, found: shape, file: source.url)
            }
        }
        self.config = config
        self.precision = precision
        self.weights = try Self.loadWeights(source, config, precision: precision)
    }

    static func readJSON<T: Decodable>(_ url: URL) throws -> T {
        guard FileManager.default.fileExists(atPath: url.path) else { throw ModelLoadError.fileMissing(url) }
        do {
            return try JSONDecoder().decode(T.self, from: Data(contentsOf: url))
        } catch {
            throw ModelLoadError.malformedHeader(url, detail: "config JSON: \(error)")
        }
    }

    /// Sizes from the tensors that define them; layer counts by probing consecutive layer names.
    static func deriveConfig(_ s: some WhisperTensorSource, constants: WhisperDecodingConstants) throws -> WhisperConfig {
        func required(_ name: String, rank: Int) throws -> [Int] {
            guard let shape = try s.shape(name) else { throw ModelLoadError.tensorMissing(name: s.displayName(name), in: s.url) }
            guard shape.count == rank else {
                throw ModelLoadError.shapeMismatch(tensor: name, expected: [Int](repeating: -1, count: rank), found: shape, file: s.url)
            }
            return shape
        }
        let conv1 = try required("encoder/conv1/weight", rank: 3)
        let fc1 = try required("encoder/layer_0/ffn/linear_0/weight", rank: 2)
        let embeddings = try required("decoder/embeddings/weight", rank: 2)
        let audio = try required("encoder/position_encodings/encodings", rank: 2)
        let text = try required("decoder/position_encodings/encodings", rank: 2)
        func layers(_ prefix: String) throws -> Int {
            var count = 0
            while try s.shape("\(prefix)/layer_\(count)/ffn/linear_0/weight") != nil { count += 1 }
            return count
        }
        let encoderHeads = try s.scalar("encoder/num_heads")
        let decoderHeads = try s.scalar("decoder/num_heads") ?? encoderHeads
        guard let encoderHeads, let decoderHeads else {
            throw ModelLoadError.tensorMissing(name: "encoder/num_heads", in: s.url)
        }
        return WhisperConfig(
            melBins: conv1[1], modelDim: conv1[0],
            encoderLayers: try layers("encoder"), decoderLayers: try layers("decoder"),
            encoderHeads: encoderHeads, decoderHeads: decoderHeads, ffnDim: fc1[0],
            vocabularySize: embeddings[0], audioPositions: audio[0], textPositions: text[0],
            alignmentHeads: constants.alignmentHeads.compactMap { $0.count == 2 ? WhisperAlignmentHead(layer: $0[0], head: $0[1]) : nil },
            languageIDs: constants.languageIDs, suppressIDs: constants.suppressIDs, suppressIDsBegin: constants.suppressIDsBegin)
    }

    static func loadWeights(_ s: some WhisperTensorSource, _ c: WhisperConfig, precision: WeightPrecision) throws -> WhisperWeights {
        func linear(_ p: String) throws -> WhisperLinear {
            WhisperLinear(weight: try s.matrix(p + "/weight", precision: precision), bias: try s.floats(p + "/bias"))
        }
        func norm(_ p: String) throws -> WhisperNorm {
            WhisperNorm(gamma: try s.floats(p + "/gamma"), beta: try s.floats(p + "/beta"))
        }
        let encoderLayers = try (0..<c.encoderLayers).map { i in
            let p = "encoder/layer_\(i)"
            return WhisperEncoderLayerWeights(
                attentionNorm: try norm("\(p)/self_attention/layer_norm"), qkv: try linear("\(p)/self_attention/linear_0"),
                attentionOut: try linear("\(p)/self_attention/linear_1"), ffnNorm: try norm("\(p)/ffn/layer_norm"),
                fc1: try linear("\(p)/ffn/linear_0"), fc2: try linear("\(p)/ffn/linear_1"))
        }
        let decoderLayers = try (0..<c.decoderLayers).map { i in
            let p = "decoder/layer_\(i)"
            return WhisperDecoderLayerWeights(
                selfNorm: try norm("\(p)/self_attention/layer_norm"), selfQKV: try linear("\(p)/self_attention/linear_0"),
                selfOut: try linear("\(p)/self_attention/linear_1"), crossNorm: try norm("\(p)/attention/layer_norm"),
                crossQuery: try linear("\(p)/attention/linear_0"), crossKeyValue: try linear("\(p)/attention/linear_1"),
                crossOut: try linear("\(p)/attention/linear_2"), ffnNorm: try norm("\(p)/ffn/layer_norm"),
                fc1: try linear("\(p)/ffn/linear_0"), fc2: try linear("\(p)/ffn/linear_1"))
        }
        return WhisperWeights(
            conv1Weight: try s.floats("encoder/conv1/weight"), conv1Bias: try s.floats("encoder/conv1/bias"),
            conv2Weight: try s.floats("encoder/conv2/weight"), conv2Bias: try s.floats("encoder/conv2/bias"),
            encoderPositions: try s.floats("encoder/position_encodings/encodings"),
            encoderLayers: encoderLayers, encoderNorm: try norm("encoder/layer_norm"),
            embeddings: try s.matrix("decoder/embeddings/weight", precision: precision),
            decoderPositions: try s.floats("decoder/position_encodings/encodings"),
            decoderLayers: decoderLayers, decoderNorm: try norm("decoder/layer_norm"))
    }
}

/// The decoding constants of config.json (CT2) or generation_config.json (HF).
struct WhisperDecodingConstants {
    var alignmentHeads: [[Int]]
    var languageIDs: [Int]
    var suppressIDs: [Int]
    var suppressIDsBegin: [Int]
}
