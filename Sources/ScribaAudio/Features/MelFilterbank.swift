// Slaney-style triangular mel filterbank, as transformers 4.57.6 `audio_utils.mel_filter_bank` builds it
// with norm="slaney", mel_scale="slaney" (the bank WhisperFeatureExtractor uses for Whisper and
// Qwen3-ASR). Built in Double like the NumPy reference, stored as Float.

import Foundation

public struct MelFilterbank: Sendable {
    public let melBins: Int
    /// FFT bins the filters cover: nFFT / 2 + 1.
    public let frequencyBins: Int
    /// Row-major [melBins, frequencyBins]: row m is filter m's weight per FFT bin.
    public let weights: [Float]
    /// Filter edges in Hz (melBins + 2 points): filter m rises from edge m, peaks at edge m + 1 and
    /// falls to zero at edge m + 2.
    public let edgeFrequencies: [Double]

    /// Above 1 kHz the Slaney scale is logarithmic; below it, linear (3 mel per 200 Hz).
    static let minLogHertz = 1000.0
    static let minLogMel = 15.0
    static let logStep = 27.0 / Foundation.log(6.4)

    public static func hertzToMel(_ hertz: Double) -> Double {
        hertz >= minLogHertz ? minLogMel + Foundation.log(hertz / minLogHertz) * logStep : 3.0 * hertz / 200.0
    }

    public static func melToHertz(_ mel: Double) -> Double {
        mel >= minLogMel ? minLogHertz * Foundation.exp((mel - minLogMel) / logStep) : 200.0 * mel / 3.0
    }

    /// - Parameters:
    ///   - melBins: number of filters (80 for Whisper, 128 for Qwen3-ASR).
    ///   - frequencyBins: nFFT / 2 + 1.
    ///   - sampleRate: Hz; FFT bin k sits at k · (sampleRate / 2) / (frequencyBins − 1).
    ///   - minFrequency, maxFrequency: the band the filters span, in Hz (Whisper: 0–8000).
    public init(
        melBins: Int, frequencyBins: Int, sampleRate: Int,
        minFrequency: Double = 0, maxFrequency: Double = 8000
    ) {
        precondition(melBins >= 1 && frequencyBins >= 2, "MelFilterbank needs ≥ 1 mel bin and ≥ 2 FFT bins")
        precondition(minFrequency <= maxFrequency, "MelFilterbank: minFrequency above maxFrequency")
        self.melBins = melBins
        self.frequencyBins = frequencyBins

        // Edges equally spaced in mel (np.linspace), mapped back to Hz.
        let melMin = Self.hertzToMel(minFrequency)
        let melMax = Self.hertzToMel(maxFrequency)
        let edgeCount = melBins + 2
        let edges = (0..<edgeCount).map { i -> Double in
            Self.melToHertz(melMin + (melMax - melMin) * Double(i) / Double(edgeCount - 1))
        }
        self.edgeFrequencies = edges

        // FFT bin centres: np.linspace(0, sampling_rate // 2, frequencyBins) — note the integer halving.
        let nyquist = Double(sampleRate / 2)
        var weights = [Float](repeating: 0, count: melBins * frequencyBins)
        for m in 0..<melBins {
            let lower = edges[m], centre = edges[m + 1], upper = edges[m + 2]
            let slaneyNorm = 2.0 / (upper - lower)  // equal area per filter
            for k in 0..<frequencyBins {
                let f = nyquist * Double(k) / Double(frequencyBins - 1)
                let rising = (f - lower) / (centre - lower)
                let falling = (upper - f) / (upper - centre)
                let w = max(0, min(rising, falling))
                weights[m * frequencyBins + k] = Float(w * slaneyNorm)
            }
        }
        self.weights = weights
    }

    /// Filter m's weighted mean frequency in Hz (a peak that stays strictly ordered even where two
    /// narrow low filters share their largest FFT bin); nil for a filter with no weight.
    public func centroidFrequency(ofFilter m: Int, sampleRate: Int) -> Double? {
        let nyquist = Double(sampleRate / 2)
        var sum = 0.0, weighted = 0.0
        for k in 0..<frequencyBins {
            let w = Double(weights[m * frequencyBins + k])
            sum += w
            weighted += w * nyquist * Double(k) / Double(frequencyBins - 1)
        }
        return sum > 0 ? weighted / sum : nil
    }
}
