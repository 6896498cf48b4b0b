import Foundation
import ScribaTensor

// Kaldi log mel filterbank features as `torchaudio.compliance.kaldi.fbank` computes them with the
// options 3D-Speaker's CAM++ was trained on (80 bins, dither 0, everything else default): 25 ms frames
// (400 samples) every 10 ms (160), snip_edges (no padding), per frame: remove the DC offset,
// pre-emphasis 0.97 (the first sample against itself), Povey window (Hann^0.85, symmetric), zero-pad to
// 512, power spectrum, 80 triangular mel bins between 20 Hz and Nyquist on Kaldi's mel scale
// (1127·ln(1 + f/700), triangles in mel, Nyquist bin weightless), natural log floored at float epsilon.
// The 512-point DFT of a 400-sample frame is one SGEMM against a [400 × 514] cos/sin matrix, as LogMel.

public struct KaldiFbank: Sendable {
    public static let frameSamples = 400, hopSamples = 160, paddedSize = 512, melBins = 80
    static let preemphasis: Float = 0.97, lowHz = 20.0, sampleRate = 16_000.0
    static let spectrumBins = paddedSize / 2 + 1

    private let dft: [Float]        // [400 × 2·257]: cos then sin for each frequency bin
    private let window: [Float]     // [400]
    private let banks: [Float]      // [257 × 80]

    public init() {
        let n = Self.frameSamples, bins = Self.spectrumBins
        var dft = [Float](repeating: 0, count: n * 2 * bins)
        for t in 0..<n {
            for k in 0..<bins {
                let angle = 2 * Double.pi * Double((t * k) % Self.paddedSize) / Double(Self.paddedSize)
                dft[t * 2 * bins + k] = Float(cos(angle))
                dft[t * 2 * bins + bins + k] = Float(-sin(angle))
            }
        }
        self.dft = dft
        window = (0..<n).map { Float(pow(0.5 - 0.5 * cos(2 * Double.pi * Double($0) / Double(n - 1)), 0.85)) }
        func mel(_ hz: Double) -> Double { 1127 * log(1 + hz / 700) }
        let low = mel(Self.lowHz), high = mel(Self.sampleRate / 2)
        let delta = (high - low) / Double(Self.melBins + 1), binWidth = Self.sampleRate / Double(Self.paddedSize)
        var banks = [Float](repeating: 0, count: bins * Self.melBins)
        for b in 0..<Self.melBins {
            let left = low + Double(b) * delta, center = left + delta, right = center + delta
            for k in 0..<(Self.paddedSize / 2) {   // the Nyquist bin gets no weight, as in Kaldi
                let m = mel(binWidth * Double(k))
                let weight = max(0, min((m - left) / (center - left), (right - m) / (right - center)))
                banks[k * Self.melBins + b] = Float(weight)
            }
        }
        self.banks = banks
    }

    /// Frames for `samples` samples: 1 + (N − 400) / 160, none below 400.
    public static func frameCount(samples: Int) -> Int {
        samples < frameSamples ? 0 : (samples - frameSamples) / hopSamples + 1
    }

    /// Log mel energies [frames × 80] of 16 kHz samples (any scale: CAM++ subtracts the mean per bin).
    public func features(_ samples: ArraySlice<Float>) -> [Float] {
        let frames = Self.frameCount(samples: samples.count), n = Self.frameSamples, bins = Self.spectrumBins
        guard frames > 0 else { return [] }
        var framed = [Float](repeating: 0, count: frames * n)
        let base = samples.startIndex
        for f in 0..<frames {
            let row = f * n, first = base + f * Self.hopSamples
            var mean: Float = 0
            for i in 0..<n { mean += samples[first + i] }
            mean /= Float(n)
            var previous = samples[first] - mean
            for i in 0..<n {
                let x = samples[first + i] - mean
                framed[row + i] = (x - Self.preemphasis * previous) * window[i]
                previous = x
            }
        }
        var spectrum = [Float](repeating: 0, count: frames * 2 * bins)
        BLAS.sgemm(m: frames, n: 2 * bins, k: n, a: framed, lda: n, b: dft, ldb: 2 * bins, c: &spectrum, ldc: 2 * bins)
        var power = [Float](repeating: 0, count: frames * bins)
        for f in 0..<frames {
            for k in 0..<bins {
                let re = spectrum[f * 2 * bins + k], im = spectrum[f * 2 * bins + bins + k]
                power[f * bins + k] = re * re + im * im
            }
        }
        var mel = [Float](repeating: 0, count: frames * Self.melBins)
        BLAS.sgemm(m: frames, n: Self.melBins, k: bins, a: power, lda: bins, b: banks, ldb: Self.melBins, c: &mel, ldc: Self.melBins)
        for i in mel.indices { mel[i] = log(max(mel[i], Float.ulpOfOne)) }
        return mel
    }
}
