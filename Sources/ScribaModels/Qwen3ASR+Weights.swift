import Foundation
import ScribaTensor

// The thinker's checkpoint tensors: every name with its expected shape, in one place
// (`Qwen3ThinkerWeights.build`), loaded once into one Float arena (bf16 and f16 widen at load, so a
// 1.7B checkpoint takes ~4 bytes per parameter of RSS, ~8 GB). Tensors that run as one matrix are
// loaded next to each other — q|k|v and gate|up — so a single GEMM/GEMV covers them.

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

/// A grow-only scratch buffer: stable pointer, reallocated only when a call needs more than before.
final class Qwen3Buffer {
    private(set) var pointer: UnsafeMutablePointer<Float>
    private(set) var capacity: Int

    init(_ capacity: Int) {
        self.capacity = max(1, capacity)
        pointer = .allocate(capacity: self.capacity)
        pointer.initialize(repeating: 0, count: self.capacity)
    }

    deinit { pointer.deallocate() }

    func reserve(_ needed: Int) {
        guard needed > capacity else { return }
        pointer.deallocate()
        capacity = needed
        pointer = .allocate(capacity: needed)
        pointer.initialize(repeating: 0, count: needed)
    }

    func buffer(_ count: Int) -> UnsafeMutableBufferPointer<Float> {
        reserve(count)
        return UnsafeMutableBufferPointer(start: pointer, count: count)
    }
}

/// Reads checkpoint tensors in two passes: `plan` checks every name, shape and dtype and sums the
/// floats; `load` copies them into the arena in the same order.
struct Qwen3WeightLoader {
    let checkpoint: SafeTensorsCheckpoint
    private var arena: Qwen3WeightArena?
    private(set) var plannedFloats = 0
    /// A valid but unused address handed out while planning.
    nonisolated(unsafe) private static let placeholder = UnsafeMutablePointer<Float>.allocate(capacity: 1)

    init(checkpoint: SafeTensorsCheckpoint, arena: Qwen3WeightArena?) {
        self.checkpoint = checkpoint
        self.arena = arena
    }

    mutating func callAsFunction(_ name: String, _ shape: [Int]) throws -> UnsafePointer<Float> {
        guard checkpoint.contains(name) else { throw ModelLoadError.tensorMissing(name: name, in: checkpoint.folder) }
        let info = try checkpoint.info(name)
        let file = try checkpoint.file(containing: name)
        guard info.shape == shape else {
            throw ModelLoadError.shapeMismatch(tensor: name, expected: shape, found: info.shape, file: file.url)
        }
        guard info.dtype.convertsToFloat else {
            throw ModelLoadError.unsupportedDType(file.url, tensor: name, dtype: info.dtype.rawValue)
        }
        let count = shape.reduce(1, *)
        guard let arena else {
            plannedFloats += count
            return UnsafePointer(Self.placeholder)
        }
        let destination = arena.take(count)
        try checkpoint.copyFloats(name, into: UnsafeMutableBufferPointer(start: destination, count: count))
        return UnsafePointer(destination)
    }
}

struct Qwen3EncoderLayerWeights {
    var attentionNormWeight, attentionNormBias: UnsafePointer<Float>
    /// [3·d, d] = q_proj | k_proj | v_proj, and their biases [3·d].
    var qkvWeight, qkvBias: UnsafePointer<Float>
    var outWeight, outBias: UnsafePointer<Float>
    var ffnNormWeight, ffnNormBias: UnsafePointer<Float>
    var fc1Weight, fc1Bias, fc2Weight, fc2Bias: UnsafePointer<Float>
}

struct Qwen3EncoderWeights {
    var conv1Weight, conv1Bias, conv2Weight, conv2Bias, conv3Weight, conv3Bias: UnsafePointer<Float>
    /// [d, channels · 16] (channel-major flattening), no bias.
    var convOutWeight: UnsafePointer<Float>
    var layers: [Qwen3EncoderLayerWeights]
    var lnPostWeight, lnPostBias: UnsafePointer<Float>
    var proj1Weight, proj1Bias, proj2Weight, proj2Bias: UnsafePointer<Float>
}

struct Qwen3DecoderLayerWeights {
    var inputNorm: UnsafePointer<Float>
    /// [(heads + 2·kvHeads)·headDim, hidden] = q_proj | k_proj | v_proj.
    var qkvWeight: UnsafePointer<Float>
    var qNorm, kNorm: UnsafePointer<Float>
    var oWeight: UnsafePointer<Float>
    var postNorm: UnsafePointer<Float>
    /// [2·intermediate, hidden] = gate_proj | up_proj.
    var gateUpWeight: UnsafePointer<Float>
    var downWeight: UnsafePointer<Float>
}

struct Qwen3DecoderWeights {
    var embedTokens: UnsafePointer<Float>
    var layers: [Qwen3DecoderLayerWeights]
    var norm: UnsafePointer<Float>
    /// [headRows, hidden]: lm_head, or embed_tokens when tied.
    var head: UnsafePointer<Float>
}

struct Qwen3ThinkerWeights {
    var encoder: Qwen3EncoderWeights
    var decoder: Qwen3DecoderWeights
    let arena: Qwen3WeightArena

    static func load(checkpoint: SafeTensorsCheckpoint, config: Qwen3ASRConfig) throws -> Qwen3ThinkerWeights {
        var planner = Qwen3WeightLoader(checkpoint: checkpoint, arena: nil)
        _ = try build(&planner, config: config, tied: try headIsTied(checkpoint: checkpoint, config: config))
        let arena = Qwen3WeightArena(count: planner.plannedFloats)
        var loader = Qwen3WeightLoader(checkpoint: checkpoint, arena: arena)
        let (encoder, decoder) = try build(&loader, config: config, tied: try headIsTied(checkpoint: checkpoint, config: config))
        return Qwen3ThinkerWeights(encoder: encoder, decoder: decoder, arena: arena)
    }

    /// Tied when text_config says so (ASR) — the file then has no lm_head; the aligner's head is
    /// always its own [classify_num, hidden] matrix.
    private static func headIsTied(checkpoint: SafeTensorsCheckpoint, config: Qwen3ASRConfig) throws -> Bool {
        !config.isForcedAligner && config.text.tieWordEmbeddings && !checkpoint.contains("thinker.lm_head.weight")
    }

    /// Every checkpoint tensor with the shape config.json implies.
    private static func build(
        _ w: inout Qwen3WeightLoader, config: Qwen3ASRConfig, tied: Bool
    ) throws -> (Qwen3EncoderWeights, Qwen3DecoderWeights) {
        let a = config.audio, t = config.text
        let d = a.dModel, channels = a.downsampleHiddenSize
        let p = "thinker.audio_tower."
        let conv1Weight = try w(p + "conv2d1.weight", [channels, 1, 3, 3]), conv1Bias = try w(p + "conv2d1.bias", [channels])
        let conv2Weight = try w(p + "conv2d2.weight", [channels, channels, 3, 3]), conv2Bias = try w(p + "conv2d2.bias", [channels])
        let conv3Weight = try w(p + "conv2d3.weight", [channels, channels, 3, 3]), conv3Bias = try w(p + "conv2d3.bias", [channels])
        let convOut = try w(p + "conv_out.weight", [d, channels * a.convolvedMelBins])
        var encoderLayers: [Qwen3EncoderLayerWeights] = []
        for i in 0..<a.encoderLayers {
            let l = p + "layers.\(i)."
            // q, k, v weights then q, k, v biases, each triple contiguous.
            let qkvWeight = try w(l + "self_attn.q_proj.weight", [d, d])
            _ = try w(l + "self_attn.k_proj.weight", [d, d])
            _ = try w(l + "self_attn.v_proj.weight", [d, d])
            let qkvBias = try w(l + "self_attn.q_proj.bias", [d])
            _ = try w(l + "self_attn.k_proj.bias", [d])
            _ = try w(l + "self_attn.v_proj.bias", [d])
            encoderLayers.append(Qwen3EncoderLayerWeights(
                attentionNormWeight: try w(l + "self_attn_layer_norm.weight", [d]),
                attentionNormBias: try w(l + "self_attn_layer_norm.bias", [d]),
                qkvWeight: qkvWeight, qkvBias: qkvBias,
                outWeight: try w(l + "self_attn.out_proj.weight", [d, d]),
                outBias: try w(l + "self_attn.out_proj.bias", [d]),
                ffnNormWeight: try w(l + "final_layer_norm.weight", [d]),
                ffnNormBias: try w(l + "final_layer_norm.bias", [d]),
                fc1Weight: try w(l + "fc1.weight", [a.encoderFFNDim, d]), fc1Bias: try w(l + "fc1.bias", [a.encoderFFNDim]),
                fc2Weight: try w(l + "fc2.weight", [d, a.encoderFFNDim]), fc2Bias: try w(l + "fc2.bias", [d])))
        }
        let encoder = Qwen3EncoderWeights(
            conv1Weight: conv1Weight, conv1Bias: conv1Bias, conv2Weight: conv2Weight, conv2Bias: conv2Bias,
            conv3Weight: conv3Weight, conv3Bias: conv3Bias, convOutWeight: convOut, layers: encoderLayers,
            lnPostWeight: try w(p + "ln_post.weight", [d]), lnPostBias: try w(p + "ln_post.bias", [d]),
            proj1Weight: try w(p + "proj1.weight", [d, d]), proj1Bias: try w(p + "proj1.bias", [d]),
            proj2Weight: try w(p + "proj2.weight", [a.outputDim, d]), proj2Bias: try w(p + "proj2.bias", [a.outputDim]))

        let m = "thinker.model."
        let hidden = t.hiddenSize, qDim = t.numAttentionHeads * t.headDim, kvDim = t.numKeyValueHeads * t.headDim
        let embed = try w(m + "embed_tokens.weight", [t.vocabSize, hidden])
        var decoderLayers: [Qwen3DecoderLayerWeights] = []
        for i in 0..<t.numHiddenLayers {
            let l = m + "layers.\(i)."
            let qkv = try w(l + "self_attn.q_proj.weight", [qDim, hidden])
            _ = try w(l + "self_attn.k_proj.weight", [kvDim, hidden])
            _ = try w(l + "self_attn.v_proj.weight", [kvDim, hidden])
            let gateUp = try w(l + "mlp.gate_proj.weight", [t.intermediateSize, hidden])
            _ = try w(l + "mlp.up_proj.weight", [t.intermediateSize, hidden])
            decoderLayers.append(Qwen3DecoderLayerWeights(
                inputNorm: try w(l + "input_layernorm.weight", [hidden]),
                qkvWeight: qkv,
                qNorm: try w(l + "self_attn.q_norm.weight", [t.headDim]),
                kNorm: try w(l + "self_attn.k_norm.weight", [t.headDim]),
                oWeight: try w(l + "self_attn.o_proj.weight", [hidden, qDim]),
                postNorm: try w(l + "post_attention_layernorm.weight", [hidden]),
                gateUpWeight: gateUp,
                downWeight: try w(l + "mlp.down_proj.weight", [hidden, t.intermediateSize])))
        }
        let norm = try w(m + "norm.weight", [hidden])
        let head = tied ? embed : try w("thinker.lm_head.weight", [config.headRows, hidden])
        return (encoder, Qwen3DecoderWeights(embedTokens: embed, layers: decoderLayers, norm: norm, head: head))
    }
}
