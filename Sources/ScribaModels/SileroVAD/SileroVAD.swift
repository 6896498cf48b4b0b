import Foundation
import ScribaTensor

// Silero VAD v6 (silero-vad 6.2.3, MIT), 16 kHz, from `silero_vad/data/silero_vad_16k.safetensors` and
// the forward pass in the wheel's `tinygrad_model.py`. Audio is read in 512-sample frames (32 ms), each
// with the 64 samples before it as context (zeros before the start; the last frame zero-padded), as the
// package's `get_speech_timestamps` feeds its model. Per frame:
//   the 576 samples, reflect-padded by 64 on the right → STFT as a stride-128 convolution with 256-tap
//   kernels (129 real + 129 imaginary rows) → magnitude → conv1 (129→128, k3, s1) → conv2 (→64, s2)
//   → conv3 (→64, s2) → conv4 (→128, s1), ReLU after each → LSTM cell (128, state carried across frames)
//   → ReLU → 1×1 conv → sigmoid = the frame's speech probability.
// Every step but the LSTM is independent per frame, so they run for all frames at once as matrix
// products (im2col + sgemm); only the LSTM cell walks the frames in order.

public final class SileroVAD: @unchecked Sendable {
    public static let sampleRate = 16_000
    /// Samples per frame (32 ms): one probability each.
    public static let frameSamples = 512
    /// Samples of the previous frame each frame sees.
    public static let contextSamples = 64
    /// The weights shipped with Scriba (ScribaModels resources, see Resources/LICENSE-silero-vad.txt).
    public static let weightsFile = "silero_vad_16k.safetensors"

    static let fftSize = 256, hop = 128, reflectPad = 64, bins = 129, hiddenSize = 128
    /// STFT steps per frame: (576 + 64 − 256) / 128 + 1.
    static let steps = (frameSamples + contextSamples + reflectPad - fftSize) / hop + 1

    private let stft: [Float]                    // [258, 256]
    private let conv1: [Float], conv1Bias: [Float] // [128, 129·3] (im2col order: channel-major, tap-minor)
    private let conv2: [Float], conv2Bias: [Float] // [64, 128·3]
    private let conv3: [Float], conv3Bias: [Float] // [64, 64·3]
    private let conv4: [Float], conv4Bias: [Float] // [128, 64·3]
    private let weightIH: [Float], weightHH: [Float], biasIH: [Float], biasHH: [Float] // [512, 128], [512]
    private let finalWeight: [Float], finalBias: Float

    /// Loads the bundled weights (found beside the binary, see `ModelResources`).
    public convenience init() throws {
        try self.init(url: try ModelResources.locate(Self.weightsFile))
    }

    /// Loads a silero_vad_16k.safetensors file; every tensor is checked against its expected shape.
    public init(url: URL) throws {
        let file = try SafeTensorsFile(url: url)
        func tensor(_ name: String, _ shape: [Int]) throws -> [Float] {
            guard file.contains(name) else { throw ModelLoadError.tensorMissing(name: name, in: url) }
            let found = try file.info(name).shape
            guard found == shape else { throw ModelLoadError.shapeMismatch(tensor: name, expected: shape, found: found, file: url) }
            return try file.floats(name)
        }
        let h = Self.hiddenSize
        stft = try tensor("stft_conv.weight", [2 * Self.bins, 1, Self.fftSize])
        conv1 = try tensor("conv1.weight", [128, Self.bins, 3]); conv1Bias = try tensor("conv1.bias", [128])
        conv2 = try tensor("conv2.weight", [64, 128, 3]); conv2Bias = try tensor("conv2.bias", [64])
        conv3 = try tensor("conv3.weight", [64, 64, 3]); conv3Bias = try tensor("conv3.bias", [64])
        conv4 = try tensor("conv4.weight", [h, 64, 3]); conv4Bias = try tensor("conv4.bias", [h])
        weightIH = try tensor("lstm_cell.weight_ih", [4 * h, h]); weightHH = try tensor("lstm_cell.weight_hh", [4 * h, h])
        biasIH = try tensor("lstm_cell.bias_ih", [4 * h]); biasHH = try tensor("lstm_cell.bias_hh", [4 * h])
        finalWeight = try tensor("final_conv.weight", [1, h, 1]); finalBias = try tensor("final_conv.bias", [1])[0]
        let expected: Set<String> = ["stft_conv.weight", "conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias",
                                     "conv3.weight", "conv3.bias", "conv4.weight", "conv4.bias", "lstm_cell.weight_ih",
                                     "lstm_cell.weight_hh", "lstm_cell.bias_ih", "lstm_cell.bias_hh",
                                     "final_conv.weight", "final_conv.bias"]
        let unexpected = file.names.filter { !expected.contains($0) }
        guard unexpected.isEmpty else { throw ModelLoadError.unexpectedTensors(unexpected, folder: url) }
    }

    /// Frames whose convolutions run as one batch (~65 s of audio, ~40 MB of scratch): memory stays
    /// bounded for any length, and the matrix products stay large enough to run at full speed.
    static let blockFrames = 2048

    /// Speech probability of every 512-sample frame of `samples` (16 kHz mono), in order.
    public func probabilities(_ samples: [Float]) -> [Float] {
        let frames = (samples.count + Self.frameSamples - 1) / Self.frameSamples
        var result: [Float] = []
        result.reserveCapacity(frames)
        var state = LSTMState()
        for first in stride(from: 0, to: frames, by: Self.blockFrames) {
            let count = min(Self.blockFrames, frames - first)
            let features = convolutions(samples, firstFrame: first, frames: count)   // [count, 128]
            result += recur(features, frames: count, state: &state)
        }
        return result
    }

    /// The LSTM's hidden and cell state, carried from frame to frame.
    struct LSTMState {
        var hidden = [Float](repeating: 0, count: SileroVAD.hiddenSize)
        var cell = [Float](repeating: 0, count: SileroVAD.hiddenSize)
    }

    /// STFT magnitude and the four convolutions for `frames` frames from `firstFrame`: [frames × 128].
    private func convolutions(_ samples: [Float], firstFrame: Int, frames: Int) -> [Float] {
        let n = Self.fftSize, steps = Self.steps, bins = Self.bins
        let window = Self.frameSamples + Self.contextSamples
        // STFT windows, [frames·steps × 256]: frame f covers samples f·512 − 64 ..< f·512 + 512 (zeros
        // outside the audio), then 64 reflected samples (x[575 − 1 − j]).
        var columns = [Float](repeating: 0, count: frames * steps * n)
        var padded = [Float](repeating: 0, count: window + Self.reflectPad)
        for f in 0..<frames {
            let first = (firstFrame + f) * Self.frameSamples - Self.contextSamples
            for i in 0..<window {
                let s = first + i
                padded[i] = s >= 0 && s < samples.count ? samples[s] : 0
            }
            for j in 0..<Self.reflectPad { padded[window + j] = padded[window - 2 - j] }
            for t in 0..<steps {
                let row = (f * steps + t) * n
                for i in 0..<n { columns[row + i] = padded[t * Self.hop + i] }
            }
        }
        var spectrum = [Float](repeating: 0, count: frames * steps * 2 * bins)
        Self.matmul(columns, stft, rows: frames * steps, inner: n, out: 2 * bins, into: &spectrum)
        var magnitude = [Float](repeating: 0, count: frames * steps * bins)
        for r in 0..<(frames * steps) {
            for b in 0..<bins {
                let re = spectrum[r * 2 * bins + b], im = spectrum[r * 2 * bins + bins + b]
                magnitude[r * bins + b] = (re * re + im * im).squareRoot()
            }
        }
        // Each frame's sequence (length 4 → 4 → 2 → 1 → 1) through the convs, zero-padded at its own ends.
        var x = magnitude, length = steps, channels = bins
        for (weight, bias, outChannels, stride) in [(conv1, conv1Bias, 128, 1), (conv2, conv2Bias, 64, 2),
                                                    (conv3, conv3Bias, 64, 2), (conv4, conv4Bias, 128, 1)] {
            let outLength = (length - 1) / stride + 1
            var im2col = [Float](repeating: 0, count: frames * outLength * channels * 3)
            for f in 0..<frames {
                for t in 0..<outLength {
                    let row = (f * outLength + t) * channels * 3
                    for k in 0..<3 {
                        let source = t * stride + k - 1
                        guard source >= 0 && source < length else { continue }
                        let input = (f * length + source) * channels
                        for c in 0..<channels { im2col[row + c * 3 + k] = x[input + c] }
                    }
                }
            }
            var y = [Float](repeating: 0, count: frames * outLength * outChannels)
            Self.matmul(im2col, weight, rows: frames * outLength, inner: channels * 3, out: outChannels, into: &y)
            for r in 0..<(frames * outLength) {
                for o in 0..<outChannels { y[r * outChannels + o] = max(0, y[r * outChannels + o] + bias[o]) }
            }
            x = y
            length = outLength
            channels = outChannels
        }
        return x
    }

    /// The LSTM cell over the frames in order (state carried), ReLU, the 1×1 conv and the sigmoid.
    private func recur(_ features: [Float], frames: Int, state: inout LSTMState) -> [Float] {
        let h = Self.hiddenSize, gates = 4 * h
        var inputGates = [Float](repeating: 0, count: frames * gates)   // W_ih · x for every frame at once
        Self.matmul(features, weightIH, rows: frames, inner: h, out: gates, into: &inputGates)
        var hidden = state.hidden, cell = state.cell
        var g = [Float](repeating: 0, count: gates)
        var result = [Float](repeating: 0, count: frames)
        for f in 0..<frames {
            weightHH.withUnsafeBufferPointer { w in
                for j in 0..<gates {
                    var sum: Float = 0
                    let row = j * h
                    for i in 0..<h { sum += w[row + i] * hidden[i] }
                    g[j] = inputGates[f * gates + j] + biasIH[j] + sum + biasHH[j]
                }
            }
            // PyTorch's gate order: input, forget, cell, output.
            var logit = finalBias
            for i in 0..<h {
                let input = Self.sigmoid(g[i]), forget = Self.sigmoid(g[h + i])
                let candidate = tanh(g[2 * h + i]), output = Self.sigmoid(g[3 * h + i])
                cell[i] = forget * cell[i] + input * candidate
                hidden[i] = output * tanh(cell[i])
                logit += finalWeight[i] * max(0, hidden[i])
            }
            result[f] = Self.sigmoid(logit)
        }
        state = LSTMState(hidden: hidden, cell: cell)
        return result
    }

    static func sigmoid(_ x: Float) -> Float { 1 / (1 + exp(-x)) }

    /// out[rows × outCount] = a[rows × inner] · bᵀ, b stored [outCount × inner].
    static func matmul(_ a: [Float], _ b: [Float], rows: Int, inner: Int, out: Int, into c: inout [Float]) {
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    BLAS.sgemm(transB: true, m: rows, n: out, k: inner, a: a.baseAddress!, lda: inner,
                               b: b.baseAddress!, ldb: inner, c: c.baseAddress!, ldc: out)
                }
            }
        }
    }
}
