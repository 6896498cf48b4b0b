// Whisper-style log-mel spectrogram, matching transformers 4.57.6 `WhisperFeatureExtractor`
// (`_torch_extract_fbank_features`, the path taken when torch is installed) as qwen-asr 0.0.6 calls it:
//   torch.stft(n_fft 400, hop 160, periodic Hann, center=True, reflect padding) → |X|² → drop the last
//   frame → Slaney mel (0–8000 Hz) → log10(max(x, 1e-10)) → max(x, max − 8) → (x + 4) / 4,
//   the max taken over the whole (padded) clip.
// qwen-asr pads a batch to its longest clip and never truncates; a single clip is not padded at all.
// Whisper pads or cuts every clip to 30 s (pass `padToSamples: LogMel.whisperChunkSamples`).
// Left out: dither (0 in both models' configs) and the extractor's optional zero-mean normalisation.
//
// The DFT is two BLAS sgemms against precomputed cos/sin bases with the window folded in. The periodic
// Hann window and cos are even about n = N/2 and sin is odd, so each frame is first folded into
// x[n] + x[N−n] (for Re) and x[n] − x[N−n] (for Im): half the multiply-adds of a plain [N, 2·bins]
// basis. The mel projection is a third sgemm that writes [melBins, frames] directly.
// Float throughout: measured max |Δ| vs the reference is ≤ 5.8e-5 (the reference's own float32 FFT
// noise dominates; a Double DFT in NumPy got no closer than 4e-5).

import Foundation
import ScribaTensor

public struct LogMel: Sendable {
    public let melBins: Int
    public let sampleRate: Int
    public let nFFT: Int
    public let hopLength: Int
    public let filterbank: MelFilterbank

    /// Whisper's fixed input: 30 s at 16 kHz, giving `whisperChunkFrames` frames.
    public static let whisperChunkSamples = 480_000
    public static let whisperChunkFrames = 3000
    /// Power floor before log10 (keeps digital silence finite).
    public static let powerFloor: Float = 1e-10
    /// Dynamic range kept below the clip's loudest value, in log10 units (80 dB).
    public static let dynamicRangeLog10: Float = 8
    /// Frames processed per sgemm block: bounds scratch memory (~1.6 MB) for any clip length.
    static let framesPerBlock = 512

    /// FFT bins kept by the one-sided spectrum.
    public var frequencyBins: Int { nFFT / 2 + 1 }

    /// Frame samples paired with their mirror n ↔ N − n (n = 1...pairs); n = 0 (and n = N/2 for even N)
    /// have no partner.
    var mirroredPairs: Int { (nFFT - 1) / 2 }
    /// Length of a folded even row: x[0], x[n] + x[N−n] for n = 1...pairs, and x[N/2] for even N.
    var evenCount: Int { nFFT / 2 + 1 }

    /// Row-major [evenCount, F]: w[n]·cos(2πnk/N) (n = row), times even-folded frames gives Re.
    let cosineBasis: [Float]
    /// Row-major [mirroredPairs, F]: −w[n]·sin(2πnk/N) (n = row + 1), times odd-folded frames gives Im.
    let sineBasis: [Float]

    /// - Parameters:
    ///   - melBins: 128 for Qwen3-ASR, 80 for Whisper (a model's config supplies it; validate it there).
    ///   - sampleRate: Hz of the samples `compute` receives (16 000 for both models).
    ///   - nFFT: frame and window length in samples.
    ///   - hopLength: samples between frame starts (160 at 16 kHz = 100 frames per second).
    public init(melBins: Int, sampleRate: Int = 16_000, nFFT: Int = 400, hopLength: Int = 160) {
        precondition(melBins >= 1 && sampleRate >= 2 && nFFT >= 2 && hopLength >= 1,
                     "LogMel needs melBins ≥ 1, sampleRate ≥ 2, nFFT ≥ 2, hopLength ≥ 1")
        self.melBins = melBins
        self.sampleRate = sampleRate
        self.nFFT = nFFT
        self.hopLength = hopLength
        let bins = nFFT / 2 + 1
        self.filterbank = MelFilterbank(melBins: melBins, frequencyBins: bins, sampleRate: sampleRate)

        // torch.hann_window(periodic=True): 0.5 − 0.5·cos(2πn/N). Angles reduced mod N exactly in
        // integers so cos/sin stay accurate for large n·k.
        let evenCount = nFFT / 2 + 1, pairs = (nFFT - 1) / 2
        var cosine = [Float](repeating: 0, count: evenCount * bins)
        var sine = [Float](repeating: 0, count: pairs * bins)
        for n in 0..<evenCount {
            let window = 0.5 - 0.5 * Foundation.cos(2 * Double.pi * Double(n) / Double(nFFT))
            for k in 0..<bins {
                let angle = 2 * Double.pi * Double((n * k) % nFFT) / Double(nFFT)
                cosine[n * bins + k] = Float(window * Foundation.cos(angle))
                if n >= 1 && n <= pairs { sine[(n - 1) * bins + k] = Float(-window * Foundation.sin(angle)) }
            }
        }
        self.cosineBasis = cosine
        self.sineBasis = sine
    }

    /// Frames produced for `sampleCount` samples. torch.stft with center=True yields
    /// 1 + (N + 2·⌊nFFT/2⌋ − nFFT) / hop frames and the extractor drops the last one, so for even nFFT
    /// this is ⌊N / hop⌋ (N = 51 278 → 320 frames). It is also the length of qwen-asr's attention mask
    /// for an unpadded clip; a clip zero-padded inside a batch gets a mask of ⌈N / hop⌉ instead.
    public func frameCount(samples sampleCount: Int) -> Int {
        let padded = sampleCount + 2 * (nFFT / 2)
        guard sampleCount > 0, padded >= nFFT else { return 0 }
        return (padded - nFFT) / hopLength
    }

    /// Log-mel features of `samples` (mono, `sampleRate` Hz, nominally in [−1, 1]).
    /// - Parameter padToSamples: if given, the clip is first cut or zero-padded to exactly this many
    ///   samples (Whisper: `whisperChunkSamples`; a qwen-asr batch: its longest clip's length), and the
    ///   max − 8 clamp then sees the padded clip, as the reference does. A negative value counts as 0.
    /// - Returns: [melBins, frameCount(samples:)] — [melBins, 0] when the clip is shorter than one hop.
    public func compute(_ samples: [Float], padToSamples: Int? = nil) -> Tensor {
        let length = padToSamples.map { max(0, $0) } ?? samples.count
        let frames = frameCount(samples: length)
        guard frames > 0 else { return Tensor(zeros: [melBins, 0]) }

        let bins = frequencyBins
        let block = min(frames, Self.framesPerBlock)
        var even = [Float](repeating: 0, count: block * evenCount)     // [block, evenCount]
        var odd = [Float](repeating: 0, count: block * max(1, mirroredPairs))  // [block, pairs]
        var edgeFrame = [Float](repeating: 0, count: nFFT)             // one reflect-padded frame
        var spectrum = [Float](repeating: 0, count: block * 2 * bins)  // [block, 2·bins]: Re | Im
        var output = [Float](repeating: 0, count: melBins * frames)    // [melBins, frames]

        samples.withUnsafeBufferPointer { signal in
            even.withUnsafeMutableBufferPointer { even in
                odd.withUnsafeMutableBufferPointer { odd in
                    edgeFrame.withUnsafeMutableBufferPointer { edgeFrame in
                        spectrum.withUnsafeMutableBufferPointer { spectrum in
                            output.withUnsafeMutableBufferPointer { output in
                                var start = 0
                                while start < frames {
                                    let count = min(block, frames - start)
                                    foldFrames(signal, length: length, firstFrame: start, count: count,
                                               even: even, odd: odd, edgeFrame: edgeFrame)
                                    project(even: even, odd: odd, count: count, spectrum: spectrum,
                                            into: output.baseAddress! + start, frames: frames)
                                    start += count
                                }
                            }
                        }
                    }
                }
            }
        }
        compress(&output)
        return Tensor(shape: [melBins, frames], data: output)
    }

    /// Folds frames [first, first + count) into rows of `even` and `odd`. The signal is the clip
    /// cut/zero-padded to `length`, then reflect-padded by nFFT/2 on both sides (torch.stft's
    /// center=True); reflection repeats for clips shorter than nFFT/2 + 1, as numpy's "reflect" does
    /// (torch rejects those).
    private func foldFrames(
        _ signal: UnsafeBufferPointer<Float>, length: Int, firstFrame: Int, count: Int,
        even: UnsafeMutableBufferPointer<Float>, odd: UnsafeMutableBufferPointer<Float>,
        edgeFrame: UnsafeMutableBufferPointer<Float>
    ) {
        let offset = nFFT / 2
        let available = min(signal.count, length)  // samples past this are padding zeros
        let period = 2 * (length - 1)
        let pairs = mirroredPairs, evenCount = self.evenCount
        for row in 0..<count {
            let begin = (firstFrame + row) * hopLength - offset
            let x: UnsafePointer<Float>
            if begin >= 0 && begin + nFFT <= available {
                x = signal.baseAddress! + begin  // interior: read the clip in place
            } else {
                for n in 0..<nFFT {
                    var i = begin + n
                    if i < 0 || i >= length {
                        if period == 0 {
                            i = 0
                        } else {
                            i = ((i % period) + period) % period
                            if i >= length { i = period - i }
                        }
                    }
                    edgeFrame[n] = i < available ? signal[i] : 0
                }
                x = UnsafePointer(edgeFrame.baseAddress!)
            }
            let e = even.baseAddress! + row * evenCount
            let o = odd.baseAddress! + row * pairs
            e[0] = x[0]
            for n in stride(from: 1, through: pairs, by: 1) {
                let a = x[n], b = x[nFFT - n]
                e[n] = a + b
                o[n - 1] = a - b
            }
            if nFFT % 2 == 0 { e[nFFT / 2] = x[nFFT / 2] }
        }
    }

    /// Power spectrum of `count` framed rows, then the mel projection written straight into columns
    /// of the [melBins, frames] output (row stride `frames`).
    private func project(
        even: UnsafeMutableBufferPointer<Float>, odd: UnsafeMutableBufferPointer<Float>, count: Int,
        spectrum: UnsafeMutableBufferPointer<Float>, into output: UnsafeMutablePointer<Float>, frames: Int
    ) {
        let bins = frequencyBins
        let width = 2 * bins
        let pairs = mirroredPairs
        cosineBasis.withUnsafeBufferPointer { cosine in
            // [count, evenCount] · [evenCount, bins] → Re, columns 0..<bins
            BLAS.sgemm(m: count, n: bins, k: evenCount,
                       a: even.baseAddress!, lda: evenCount, b: cosine.baseAddress!, ldb: bins,
                       c: spectrum.baseAddress!, ldc: width)
        }
        if pairs > 0 {
            sineBasis.withUnsafeBufferPointer { sine in
                // [count, pairs] · [pairs, bins] → Im, columns bins..<2·bins
                BLAS.sgemm(m: count, n: bins, k: pairs,
                           a: odd.baseAddress!, lda: pairs, b: sine.baseAddress!, ldb: bins,
                           c: spectrum.baseAddress! + bins, ldc: width)
            }
        } else {
            for row in 0..<count { (spectrum.baseAddress! + row * width + bins).update(repeating: 0, count: bins) }
        }
        // |X|² overwrites Re in place; row stride stays 2·bins.
        let s = spectrum.baseAddress!
        for row in 0..<count {
            let re = s + row * width
            let im = re + bins
            for k in 0..<bins { re[k] = re[k] * re[k] + im[k] * im[k] }
        }
        filterbank.weights.withUnsafeBufferPointer { weights in
            // [melBins, bins] · [count, bins]ᵀ → [melBins, count] at column offset, row stride `frames`
            BLAS.sgemm(transB: true, m: melBins, n: count, k: bins,
                       a: weights.baseAddress!, lda: bins, b: s, ldb: width,
                       c: output, ldc: frames)
        }
    }

    /// log10 with floor, clamp to (clip max − 8), then (x + 4) / 4, in place.
    private func compress(_ values: inout [Float]) {
        values.withUnsafeMutableBufferPointer { v in
            var peak = -Float.infinity
            for i in 0..<v.count {
                let x = Foundation.log10(max(v[i], Self.powerFloor))
                v[i] = x
                peak = max(peak, x)
            }
            let floor = peak - Self.dynamicRangeLog10
            for i in 0..<v.count { v[i] = (max(v[i], floor) + 4) / 4 }
        }
    }
}
