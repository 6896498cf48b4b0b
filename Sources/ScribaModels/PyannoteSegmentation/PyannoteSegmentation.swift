import Foundation
import ScribaTensor

// pyannote segmentation-3.0 (MIT): the PyanNet of pyannote.audio 4.0.7
// (`pyannote/audio/models/segmentation/PyanNet.py`, `models/blocks/sincnet.py`) with the checkpoint's
// hyper-parameters (config.yaml: sincnet stride 10, 4 bidirectional LSTM layers of 128, 2 linear layers
// of 128, 7 powerset classes). 16 kHz mono; trained on 10 s windows (160 000 samples → 589 frames).
//   waveform → InstanceNorm (affine) → SincNet: parametric sinc filters (80, 251 taps, stride 10), |·|,
//   max-pool 3, InstanceNorm, leaky ReLU → conv 80→60 k5, pool, norm, leaky ReLU → conv 60→60 k5, pool,
//   norm, leaky ReLU → 4 × BiLSTM(128) → 2 × (linear 128, leaky ReLU) → linear 7 → log-softmax.
// The output is the log-probability of each powerset class per frame (`PyannoteSegmentation.powerset`).
// Everything but the LSTM recurrence is per-window matrix products; the LSTMs walk a whole batch of
// windows step by step together (ScribaTensor `LSTM`). Training-only parts (dropout) are left out.

public final class PyannoteSegmentation: @unchecked Sendable {
    public static let sampleRate = 16_000
    /// Window the model was trained on (config.yaml `task.duration`): 10 s.
    public static let windowSamples = 160_000
    /// One output frame every 270 samples (16.875 ms); frame i sees samples i·270 ..< i·270 + 991.
    public static let frameStepSamples = 270
    public static let receptiveFieldSamples = 991
    /// Local speakers per window (config.yaml `max_speakers_per_chunk`).
    public static let localSpeakers = 3
    /// The powerset classes in pyannote's order (`Powerset`: by size, then lexicographic): the local
    /// speakers active in each class.
    public static let powerset: [[Int]] = [[], [0], [1], [2], [0, 1], [0, 2], [1, 2]]
    /// The folder name scripts/fetch-diarization-models installs to and the file inside it.
    public static let folderName = "pyannote-segmentation-3.0"
    public static let weightsFile = "model.safetensors"

    static let sincFilters = 80, sincTaps = 251, sincStride = 10
    static let minLowHz: Float = 50, minBandHz: Float = 50
    static let convChannels = 60, convTaps = 5, pool = 3
    static let hidden = 128, lstmLayers = 4, classes = 7
    /// PyTorch's defaults for InstanceNorm1d and leaky_relu.
    static let normEpsilon: Float = 1e-5, leakySlope: Float = 0.01

    /// Frames the model gives for `samples` samples (SincNet's three convs and pools, no padding).
    public static func frames(samples: Int) -> Int {
        var n = samples < sincTaps ? 0 : (samples - sincTaps) / sincStride + 1
        n /= pool
        n = max(0, n - convTaps + 1) / pool
        n = max(0, n - convTaps + 1) / pool
        return n
    }

    struct LSTMDirection {
        var weightIH: [Float]     // [512, input]
        var weightHH: [Float]     // [512, 128]
        var bias: [Float]         // [512] = bias_ih + bias_hh
    }

    let waveNorm: (weight: Float, bias: Float)
    let sincKernel: [Float]                                    // [80, 251], from the sinc parameters
    let conv: [(weight: [Float], bias: [Float])]               // [60, 80·5], [60, 60·5]
    let norms: [(weight: [Float], bias: [Float])]              // [80], [60], [60]
    let lstm: [(forward: LSTMDirection, backward: LSTMDirection)]
    let linear: [(weight: [Float], bias: [Float])]             // [128, 256], [128, 128]
    let classifier: (weight: [Float], bias: [Float])           // [7, 128]

    /// Loads `folder/model.safetensors` (as scripts/fetch-diarization-models writes it), checking every
    /// tensor's name and shape and that nothing else is there.
    public convenience init(folder: URL) throws {
        try self.init(url: folder.appendingPathComponent(Self.weightsFile))
    }

    public init(url: URL) throws {
        let reader = try CheckedTensorReader(url: url)
        let tensor = reader.floats
        let half = Self.sincFilters / 2, halfTaps = Self.sincTaps / 2, h = Self.hidden
        waveNorm = (try tensor("sincnet.wav_norm1d.weight", [1])[0], try tensor("sincnet.wav_norm1d.bias", [1])[0])
        sincKernel = Self.sincFilterBank(
            low: try tensor("sincnet.conv1d.0.filterbank.low_hz_", [half, 1]),
            band: try tensor("sincnet.conv1d.0.filterbank.band_hz_", [half, 1]),
            n: try tensor("sincnet.conv1d.0.filterbank.n_", [1, halfTaps]),
            window: try tensor("sincnet.conv1d.0.filterbank.window_", [halfTaps]))
        conv = try [(1, Self.sincFilters), (2, Self.convChannels)].map { index, input in
            (try tensor("sincnet.conv1d.\(index).weight", [Self.convChannels, input, Self.convTaps]),
             try tensor("sincnet.conv1d.\(index).bias", [Self.convChannels]))
        }
        norms = try [(0, Self.sincFilters), (1, Self.convChannels), (2, Self.convChannels)].map { index, channels in
            (try tensor("sincnet.norm1d.\(index).weight", [channels]), try tensor("sincnet.norm1d.\(index).bias", [channels]))
        }
        lstm = try (0..<Self.lstmLayers).map { layer in
            let input = layer == 0 ? Self.convChannels : 2 * h
            func direction(_ suffix: String) throws -> LSTMDirection {
                let biasIH = try tensor("lstm.bias_ih_l\(layer)\(suffix)", [4 * h])
                let biasHH = try tensor("lstm.bias_hh_l\(layer)\(suffix)", [4 * h])
                return LSTMDirection(weightIH: try tensor("lstm.weight_ih_l\(layer)\(suffix)", [4 * h, input]),
                                     weightHH: try tensor("lstm.weight_hh_l\(layer)\(suffix)", [4 * h, h]),
                                     bias: zip(biasIH, biasHH).map { $0 + $1 })
            }
            return (try direction(""), try direction("_reverse"))
        }
        linear = try [(0, 2 * h), (1, h)].map { index, input in
            (try tensor("linear.\(index).weight", [h, input]), try tensor("linear.\(index).bias", [h]))
        }
        classifier = (try tensor("classifier.weight", [Self.classes, h]), try tensor("classifier.bias", [Self.classes]))
        try reader.rejectUnexpected()
    }

    /// Working memory for one batch at a time, reused across batches (one per thread). Not for two
    /// threads at once.
    public final class Scratch: @unchecked Sendable {
        let wave = ScratchBuffer(1), columns = ScratchBuffer(1), convolved = ScratchBuffer(1), pooled = ScratchBuffer(1)
        let features = ScratchBuffer(1), gates = ScratchBuffer(1), layerInput = ScratchBuffer(1), layerOutput = ScratchBuffer(1)

        public init() {}
    }

    /// Log-probabilities of the 7 powerset classes for every frame of every window:
    /// result[w] is [frames × 7] row-major, frames = `frames(samples:)` of the windows' common length.
    public func logProbabilities(windows: [[Float]], scratch: Scratch = Scratch()) -> [[Float]] {
        guard let length = windows.first?.count else { return [] }
        precondition(windows.allSatisfy { $0.count == length }, "segmentation windows must share one length")
        let frames = Self.frames(samples: length)
        guard frames > 0 else { return windows.map { _ in [] } }
        let features = scratch.features.buffer(windows.count * frames * Self.convChannels).baseAddress!
        for (w, window) in windows.enumerated() {
            window.withUnsafeBufferPointer {
                sincNet($0.baseAddress!, length: length, scratch: scratch, into: features + w * frames * Self.convChannels)
            }
        }
        let scores = head(recurrent(features, batch: windows.count, frames: frames, scratch: scratch), rows: windows.count * frames)
        return (0..<windows.count).map { Array(scores[($0 * frames * Self.classes)..<(($0 + 1) * frames * Self.classes)]) }
    }

    /// The 4 bidirectional LSTM layers over [batch × frames × 60] features: [batch × frames × 256]
    /// (in `scratch`).
    func recurrent(_ features: UnsafePointer<Float>, batch: Int, frames: Int, scratch: Scratch) -> UnsafePointer<Float> {
        let h = Self.hidden, gates = 4 * h, rows = batch * frames
        var x = features, input = Self.convChannels
        let gateBuffer = scratch.gates.buffer(rows * gates).baseAddress!
        var y = scratch.layerOutput.buffer(rows * 2 * h).baseAddress!
        var spare = scratch.layerInput.buffer(rows * 2 * h).baseAddress!
        for layer in lstm {
            for (offset, direction) in [(0, layer.forward), (h, layer.backward)] {
                // Input half of the gates for every frame of every window at once, biases folded in.
                Self.affine(x, direction.weightIH, direction.bias, rows: rows, inner: input, out: gates, into: gateBuffer)
                direction.weightHH.withUnsafeBufferPointer { w in
                    LSTM.run(inputGates: gateBuffer, batch: batch, steps: frames, hidden: h,
                             weightHH: w.baseAddress!, reverse: offset != 0,
                             output: y, outputStride: 2 * h, outputOffset: offset)
                }
            }
            x = UnsafePointer(y)
            swap(&y, &spare)
            input = 2 * h
        }
        return x
    }

    /// Linear layers with leaky ReLU, the classifier and log-softmax over the 7 classes: [rows × 7].
    func head(_ lstmOutput: UnsafePointer<Float>, rows: Int) -> [Float] {
        var x = [Float](UnsafeBufferPointer(start: lstmOutput, count: rows * 2 * Self.hidden)), input = 2 * Self.hidden
        for layer in linear {
            var y = [Float](repeating: 0, count: rows * Self.hidden)
            x.withUnsafeBufferPointer { a in
                y.withUnsafeMutableBufferPointer { Self.affine(a.baseAddress!, layer.weight, layer.bias, rows: rows, inner: input, out: Self.hidden, into: $0.baseAddress!) }
            }
            for i in y.indices where y[i] < 0 { y[i] *= Self.leakySlope }
            x = y
            input = Self.hidden
        }
        var scores = [Float](repeating: 0, count: rows * Self.classes)
        x.withUnsafeBufferPointer { a in
            scores.withUnsafeMutableBufferPointer { Self.affine(a.baseAddress!, classifier.weight, classifier.bias, rows: rows, inner: input, out: Self.classes, into: $0.baseAddress!) }
        }
        for r in 0..<rows {
            let row = r * Self.classes
            var top = -Float.infinity
            for c in 0..<Self.classes { top = max(top, scores[row + c]) }
            var sum: Float = 0
            for c in 0..<Self.classes { sum += exp(scores[row + c] - top) }
            let logSum = top + log(sum)
            for c in 0..<Self.classes { scores[row + c] -= logSum }
        }
        return scores
    }

    /// out[rows × outCount] = a[rows × inner] · wᵀ + bias, w stored [outCount × inner] (nn.Linear).
    static func affine(_ a: UnsafePointer<Float>, _ w: [Float], _ bias: [Float], rows: Int, inner: Int, out: Int, into c: UnsafeMutablePointer<Float>) {
        for r in 0..<rows { for o in 0..<out { c[r * out + o] = bias[o] } }
        w.withUnsafeBufferPointer { w in
            BLAS.sgemm(transB: true, m: rows, n: out, k: inner, a: a, lda: inner,
                       b: w.baseAddress!, ldb: inner, beta: 1, c: c, ldc: out)
        }
    }
}
