import Foundation
import ScribaTensor

// The thinker's checkpoint tensors: every name with its expected shape, in one place
// (`Qwen3ThinkerWeights.build`). The linear layers (and the embedding table, which doubles as the
// tied head) become `WeightMatrix`es in the chosen precision — bf16 checkpoints keep their bf16
// bytes — so RSS stays near the weights' size in that precision; tensors that run as one matrix
// (q|k|v, gate|up) are joined into one. The small rest (norms, biases, conv kernels) goes to one
// Float arena. Each tensor's pages of the mapped file are dropped once copied, so the mapping does
// not add a second copy of the checkpoint to RSS.

/// One allocation holding every weight; the structs below point into it and live no longer than it.
final class Qwen3WeightArena {
    let base: UnsafeMutablePointer<Float>
    let count: Int
    private(set) var used = 0

    init(count: Int) {
        self.count = count
        base = .allocate(capacity: max(1, count))
    }

    deinit { base.deallocate() }

    func take(_ n: Int) -> UnsafeMutablePointer<Float> {
        precondition(used + n <= count, "weight arena overrun (planned \(count) floats)")
        defer { used += n }
        return base + used
    }
}

/// Reads checkpoint tensors in two passes: `plan` checks every name, shape and dtype and sums the
/// arena floats and the weight bytes; `load` copies them in the same order.
struct Qwen3WeightLoader {
    let checkpoint: SafeTensorsCheckpoint
    let precision: WeightPrecision
    /// `WeightMatrix.lowPrecisionProducts` of every matrix.
    var lowPrecisionProducts = true
    private var arena: Qwen3WeightArena?
    private(set) var plannedFloats = 0
    /// Bytes of every weight as held in memory (matrices in `precision`, the rest as Float).
    private(set) var weightBytes = 0
    /// Every tensor name read so far (the rest of the checkpoint is unexpected).
    private(set) var used = Set<String>()
    /// A valid but unused address handed out while planning.
    nonisolated(unsafe) private static let placeholder = UnsafeMutablePointer<Float>.allocate(capacity: 1)
    private static let placeholderMatrix = try! WeightMatrix(rows: 1, cols: 1, values: [0], precision: .f32)

    init(checkpoint: SafeTensorsCheckpoint, arena: Qwen3WeightArena?, precision: WeightPrecision) {
        self.checkpoint = checkpoint
        self.arena = arena
        self.precision = precision
    }

    /// A small tensor as Float in the arena.
    mutating func callAsFunction(_ name: String, _ shape: [Int]) throws -> UnsafePointer<Float> {
        _ = try check(name, shape)
        let count = shape.reduce(1, *)
        guard let arena else {
            plannedFloats += count
            weightBytes += count * 4
            return UnsafePointer(Self.placeholder)
        }
        let destination = arena.take(count)
        try checkpoint.copyFloats(name, into: UnsafeMutableBufferPointer(start: destination, count: count))
        try checkpoint.withRawBytes(name, Self.releasePages)
        return UnsafePointer(destination)
    }

    /// `parts` ([rows, cols] tensors) stacked by rows into one matrix in `precision`.
    mutating func matrix(_ parts: [(name: String, rows: Int)], cols: Int) throws -> WeightMatrix {
        var type: DType?
        for part in parts {
            let dtype = try check(part.name, [part.rows, cols])
            if let type, type != dtype {
                let file = try checkpoint.file(containing: part.name)
                throw ModelLoadError.unsupportedDType(file.url, tensor: part.name, dtype: "\(dtype.rawValue) (joined with \(type.rawValue) tensors)")
            }
            type = dtype
        }
        let rows = parts.reduce(0) { $0 + $1.rows }
        guard arena != nil else {
            weightBytes += Self.bytes(rows: rows, cols: cols, precision: precision)
            return Self.placeholderMatrix
        }
        let source: WeightSourceType = switch type! {
        case .bf16: .bf16
        case .f16: .f16
        default: .f32
        }
        let rowBytes = cols * source.byteWidth
        let precision = precision
        return try withRawParts(parts.map(\.name)[...], []) { bases in
            // Row r of the stack: which part, then the row inside it.
            var ends: [Int] = []
            for part in parts { ends.append((ends.last ?? 0) + part.rows) }
            do {
                var matrix = try WeightMatrix(rows: rows, cols: cols, type: source, precision: precision) { r in
                    var p = 0
                    while r >= ends[p] { p += 1 }
                    return bases[p] + (r - (p == 0 ? 0 : ends[p - 1])) * rowBytes
                }
                matrix.lowPrecisionProducts = lowPrecisionProducts
                return matrix
            } catch {
                let file = try checkpoint.file(containing: parts[0].name)
                throw ModelLoadError.tensorEntryInvalid(file.url, tensor: parts[0].name, detail: "\(error)")
            }
        }
    }

    /// A bf16 copy of a conv kernel already in the arena ([rows × cols]), when the many-row products
    /// run in low precision; nil otherwise (and while planning, which only counts its bytes).
    mutating func convProduct(_ kernel: UnsafePointer<Float>, rows: Int, cols: Int) throws -> WeightMatrix? {
        guard lowPrecisionProducts, precision != .f32 else { return nil }
        guard arena != nil else {
            weightBytes += rows * cols * 2
            return nil
        }
        return try WeightMatrix(rows: rows, cols: cols, values: UnsafeBufferPointer(start: kernel, count: rows * cols), precision: .bf16)
    }

    static func bytes(rows: Int, cols: Int, precision: WeightPrecision) -> Int {
        switch precision {
        case .f32: rows * cols * 4
        case .bf16: rows * cols * 2
        case .int8(let group): rows * cols + rows * ((cols + (group ?? cols) - 1) / (group ?? cols)) * 4
        }
    }

    /// Checks presence, shape and dtype; returns the dtype.
    private mutating func check(_ name: String, _ shape: [Int]) throws -> DType {
        guard checkpoint.contains(name) else { throw ModelLoadError.tensorMissing(name: name, in: checkpoint.folder) }
        used.insert(name)
        let info = try checkpoint.info(name)
        let file = try checkpoint.file(containing: name)
        guard info.shape == shape else {
            throw ModelLoadError.shapeMismatch(tensor: name, expected: shape, found: info.shape, file: file.url)
        }
        guard info.dtype.convertsToFloat else {
            throw ModelLoadError.unsupportedDType(file.url, tensor: name, dtype: info.dtype.rawValue)
        }
        return info.dtype
    }

    /// The raw bytes of every named tensor at once; their pages are released afterwards.
    private func withRawParts<R>(_ names: ArraySlice<String>, _ bases: [UnsafeRawPointer],
                                 _ body: ([UnsafeRawPointer]) throws -> R) throws -> R {
        guard let name = names.first else { return try body(bases) }
        return try checkpoint.withRawBytes(name) { bytes in
            defer { Self.releasePages(bytes) }
            return try withRawParts(names.dropFirst(), bases + [bytes.baseAddress!], body)
        }
    }

    /// Drops the whole pages of a copied tensor from the (read-only, private) file mapping: they
    /// leave RSS and would be read from the file again if touched.
    private static func releasePages(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = (Int(bitPattern: base) + page - 1) / page * page
        let end = (Int(bitPattern: base) + bytes.count) / page * page
        guard end > start else { return }
        _ = madvise(UnsafeMutableRawPointer(bitPattern: start), end - start, MADV_DONTNEED)
    }
}

struct Qwen3EncoderLayerWeights {
    var attentionNormWeight, attentionNormBias: UnsafePointer<Float>
    /// [3·d, d] = q_proj | k_proj | v_proj; biases [3·d] contiguous in the same order.
    var qkv: WeightMatrix
    var qkvBias: UnsafePointer<Float>
    var out: WeightMatrix
    var outBias: UnsafePointer<Float>
    var ffnNormWeight, ffnNormBias: UnsafePointer<Float>
    var fc1: WeightMatrix
    var fc1Bias: UnsafePointer<Float>
    var fc2: WeightMatrix
    var fc2Bias: UnsafePointer<Float>
}

struct Qwen3EncoderWeights {
    var conv1Weight, conv1Bias, conv2Weight, conv2Bias, conv3Weight, conv3Bias: UnsafePointer<Float>
    /// bf16 copies of the two large conv kernels ([channels × channels·9], 4 MB each for 480 channels)
    /// when low-precision products were asked for: oneDNN multiplies them (≈125 GFLOP per 30 s); nil otherwise.
    var conv2Product, conv3Product: WeightMatrix?
    /// [d, channels · 16] (channel-major flattening), no bias.
    var convOut: WeightMatrix
    var layers: [Qwen3EncoderLayerWeights]
    var lnPostWeight, lnPostBias: UnsafePointer<Float>
    var proj1: WeightMatrix
    var proj1Bias: UnsafePointer<Float>
    var proj2: WeightMatrix
    var proj2Bias: UnsafePointer<Float>
}

struct Qwen3DecoderLayerWeights {
    var inputNorm: UnsafePointer<Float>
    /// [(heads + 2·kvHeads)·headDim, hidden] = q_proj | k_proj | v_proj.
    var qkv: WeightMatrix
    var qNorm, kNorm: UnsafePointer<Float>
    var o: WeightMatrix
    var postNorm: UnsafePointer<Float>
    /// [2·intermediate, hidden] = gate_proj | up_proj.
    var gateUp: WeightMatrix
    var down: WeightMatrix
}

struct Qwen3DecoderWeights {
    /// [vocab, hidden]; rows are widened one at a time as tokens are looked up.
    var embedTokens: WeightMatrix
    var layers: [Qwen3DecoderLayerWeights]
    var norm: UnsafePointer<Float>
    /// [headRows, hidden]: lm_head, or the same storage as embed_tokens when tied.
    var head: WeightMatrix
}

struct Qwen3ThinkerWeights {
    var encoder: Qwen3EncoderWeights
    var decoder: Qwen3DecoderWeights
    let arena: Qwen3WeightArena
    let precision: WeightPrecision
    /// Whether many-row products run in `precision` (asked for) or in f32 over the stored values (the
    /// default: the checkpoint's dtype, computed as the reference does).
    let lowPrecisionProducts: Bool
    /// Bytes of all weights as held (matrices in `precision`, the rest f32).
    let byteCount: Int

    /// `precision` nil: the checkpoint's dtype, with f32 products (equal to f32 on bf16 checkpoints);
    /// a precision asked for also runs the many-row products in it (oneDNN; faster, rounded inputs).
    static func load(checkpoint: SafeTensorsCheckpoint, config: Qwen3ASRConfig, precision asked: WeightPrecision?) throws -> Qwen3ThinkerWeights {
        let precision = try asked ?? defaultPrecision(checkpoint: checkpoint)
        let lowPrecisionProducts = asked != nil
        let tied = headIsTied(checkpoint: checkpoint, config: config)
        var planner = Qwen3WeightLoader(checkpoint: checkpoint, arena: nil, precision: precision)
        _ = try build(&planner, config: config, tied: tied)
        // A tensor the config does not account for (a bias the config says is absent, a layer past
        // num_hidden_layers, another head) means another architecture: computing without it would
        // give wrong output quietly.
        let unexpected = checkpoint.names.filter { !planner.used.contains($0) }
        guard unexpected.isEmpty else { throw ModelLoadError.unexpectedTensors(unexpected, folder: checkpoint.folder) }
        let arena = Qwen3WeightArena(count: planner.plannedFloats)
        var loader = Qwen3WeightLoader(checkpoint: checkpoint, arena: arena, precision: precision)
        loader.lowPrecisionProducts = lowPrecisionProducts
        let (encoder, decoder) = try build(&loader, config: config, tied: tied)
        return Qwen3ThinkerWeights(encoder: encoder, decoder: decoder, arena: arena, precision: precision,
                                   lowPrecisionProducts: lowPrecisionProducts, byteCount: planner.weightBytes)
    }

    /// The checkpoint's own precision (bf16 for the released models): bf16 stays bf16; f32 and f16
    /// compute as f32 (f16 → bf16 would drop mantissa bits).
    static func defaultPrecision(checkpoint: SafeTensorsCheckpoint) throws -> WeightPrecision {
        let name = "thinker.model.embed_tokens.weight"
        guard checkpoint.contains(name) else { throw ModelLoadError.tensorMissing(name: name, in: checkpoint.folder) }
        return try checkpoint.info(name).dtype == .bf16 ? .bf16 : .f32
    }

    /// Tied when text_config says so (ASR) — the file then has no lm_head; the aligner's head is
    /// always its own [classify_num, hidden] matrix.
    private static func headIsTied(checkpoint: SafeTensorsCheckpoint, config: Qwen3ASRConfig) -> Bool {
        !config.isForcedAligner && config.text.tieWordEmbeddings && !checkpoint.contains("thinker.lm_head.weight")
    }

    /// Every checkpoint tensor with the shape config.json implies. The embedding comes first: its
    /// file pages are touched (and dropped) while little else is resident, which keeps peak RSS low.
    private static func build(
        _ w: inout Qwen3WeightLoader, config: Qwen3ASRConfig, tied: Bool
    ) throws -> (Qwen3EncoderWeights, Qwen3DecoderWeights) {
        let a = config.audio, t = config.text
        let m = "thinker.model."
        let hidden = t.hiddenSize, qDim = t.numAttentionHeads * t.headDim, kvDim = t.numKeyValueHeads * t.headDim
        let embed = try w.matrix([(m + "embed_tokens.weight", t.vocabSize)], cols: hidden)

        let d = a.dModel, channels = a.downsampleHiddenSize
        let p = "thinker.audio_tower."
        let conv1Weight = try w(p + "conv2d1.weight", [channels, 1, 3, 3]), conv1Bias = try w(p + "conv2d1.bias", [channels])
        let conv2Weight = try w(p + "conv2d2.weight", [channels, channels, 3, 3]), conv2Bias = try w(p + "conv2d2.bias", [channels])
        let conv3Weight = try w(p + "conv2d3.weight", [channels, channels, 3, 3]), conv3Bias = try w(p + "conv2d3.bias", [channels])
        let convOut = try w.matrix([(p + "conv_out.weight", d)], cols: channels * a.convolvedMelBins)
        var encoderLayers: [Qwen3EncoderLayerWeights] = []
        for i in 0..<a.encoderLayers {
            let l = p + "layers.\(i)."
            let qkv = try w.matrix([(l + "self_attn.q_proj.weight", d), (l + "self_attn.k_proj.weight", d),
                                    (l + "self_attn.v_proj.weight", d)], cols: d)
            // q, k, v biases contiguous.
            let qkvBias = try w(l + "self_attn.q_proj.bias", [d])
            _ = try w(l + "self_attn.k_proj.bias", [d])
            _ = try w(l + "self_attn.v_proj.bias", [d])
            encoderLayers.append(Qwen3EncoderLayerWeights(
                attentionNormWeight: try w(l + "self_attn_layer_norm.weight", [d]),
                attentionNormBias: try w(l + "self_attn_layer_norm.bias", [d]),
                qkv: qkv, qkvBias: qkvBias,
                out: try w.matrix([(l + "self_attn.out_proj.weight", d)], cols: d),
                outBias: try w(l + "self_attn.out_proj.bias", [d]),
                ffnNormWeight: try w(l + "final_layer_norm.weight", [d]),
                ffnNormBias: try w(l + "final_layer_norm.bias", [d]),
                fc1: try w.matrix([(l + "fc1.weight", a.encoderFFNDim)], cols: d), fc1Bias: try w(l + "fc1.bias", [a.encoderFFNDim]),
                fc2: try w.matrix([(l + "fc2.weight", d)], cols: a.encoderFFNDim), fc2Bias: try w(l + "fc2.bias", [d])))
        }
        let encoder = Qwen3EncoderWeights(
            conv1Weight: conv1Weight, conv1Bias: conv1Bias, conv2Weight: conv2Weight, conv2Bias: conv2Bias,
            conv3Weight: conv3Weight, conv3Bias: conv3Bias,
            conv2Product: try w.convProduct(conv2Weight, rows: channels, cols: channels * 9),
            conv3Product: try w.convProduct(conv3Weight, rows: channels, cols: channels * 9),
            convOut: convOut, layers: encoderLayers,
            lnPostWeight: try w(p + "ln_post.weight", [d]), lnPostBias: try w(p + "ln_post.bias", [d]),
            proj1: try w.matrix([(p + "proj1.weight", d)], cols: d), proj1Bias: try w(p + "proj1.bias", [d]),
            proj2: try w.matrix([(p + "proj2.weight", a.outputDim)], cols: d), proj2Bias: try w(p + "proj2.bias", [a.outputDim]))

        var decoderLayers: [Qwen3DecoderLayerWeights] = []
        for i in 0..<t.numHiddenLayers {
            let l = m + "layers.\(i)."
            decoderLayers.append(Qwen3DecoderLayerWeights(
                inputNorm: try w(l + "input_layernorm.weight", [hidden]),
                qkv: try w.matrix([(l + "self_attn.q_proj.weight", qDim), (l + "self_attn.k_proj.weight", kvDim),
                                   (l + "self_attn.v_proj.weight", kvDim)], cols: hidden),
                qNorm: try w(l + "self_attn.q_norm.weight", [t.headDim]),
                kNorm: try w(l + "self_attn.k_norm.weight", [t.headDim]),
                o: try w.matrix([(l + "self_attn.o_proj.weight", hidden)], cols: qDim),
                postNorm: try w(l + "post_attention_layernorm.weight", [hidden]),
                gateUp: try w.matrix([(l + "mlp.gate_proj.weight", t.intermediateSize), (l + "mlp.up_proj.weight", t.intermediateSize)],
                                     cols: hidden),
                down: try w.matrix([(l + "mlp.down_proj.weight", hidden)], cols: t.intermediateSize)))
        }
        let norm = try w(m + "norm.weight", [hidden])
        let head = tied ? embed : try w.matrix([("thinker.lm_head.weight", config.headRows)], cols: hidden)
        return (encoder, Qwen3DecoderWeights(embedTokens: embed, layers: decoderLayers, norm: norm, head: head))
    }
}
