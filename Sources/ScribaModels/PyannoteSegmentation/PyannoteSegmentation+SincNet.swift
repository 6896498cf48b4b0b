import Foundation
import ScribaTensor

// The SincNet front end of PyanNet (pyannote.audio 4.0.7 `models/blocks/sincnet.py`) and its first layer,
// asteroid-filterbanks 0.4.0 `ParamSincFB` (80 filters, 251 taps, min_low_hz = min_band_hz = 50): the
// checkpoint stores only each band's low edge and width, and the filters are built from them at load.
// Float32 throughout, as torch computes them (the phase arguments reach ~390 rad, where rounding them in
// double instead would move the filters by ~1e-5).

extension PyannoteSegmentation {
    /// ParamSincFB.filters(): 40 even (cos) band-pass filters then 40 odd (sin) ones, [80 × 251].
    /// `n` holds 2π·k/16000 for k = −125 ..< 0, `window` the left half of a 251-tap Hamming window.
    static func sincFilterBank(low lowParameter: [Float], band bandParameter: [Float], n: [Float], window: [Float]) -> [Float] {
        let half = lowParameter.count, halfTaps = n.count, taps = 2 * halfTaps + 1
        var bank = [Float](repeating: 0, count: 2 * half * taps)
        for f in 0..<half {
            let low = minLowHz + abs(lowParameter[f])
            let high = min(max(low + minBandHz + abs(bandParameter[f]), minLowHz), Float(sampleRate) / 2)
            let band = high - low, scale = 1 / (2 * band)
            let even = f * taps, odd = (half + f) * taps
            for k in 0..<halfTaps {
                let ftLow = low * n[k], ftHigh = high * n[k]
                let left = (sin(ftHigh) - sin(ftLow)) / (n[k] / 2) * window[k]
                let leftOdd = (cos(ftLow) - cos(ftHigh)) / (n[k] / 2) * window[k]
                bank[even + k] = left * scale
                bank[even + taps - 1 - k] = left * scale
                bank[odd + k] = leftOdd * scale
                bank[odd + taps - 1 - k] = -leftOdd * scale
            }
            bank[even + halfTaps] = 2 * band * scale
        }
        return bank
    }

    /// Frames of the sinc stage per product: their im2col rows ([block × 251]) and outputs stay in L2.
    /// A multiple of the pool size, so a block's outputs pool on their own.
    static let sincBlock = 192

    /// SincNet over one window of `length` samples: writes its [frames × 60] features (frame-major, as
    /// the LSTM reads them). Working memory from `s`.
    func sincNet(_ samples: UnsafePointer<Float>, length: Int, scratch s: Scratch, into features: UnsafeMutablePointer<Float>) {
        let sincLength = length < Self.sincTaps ? 0 : (length - Self.sincTaps) / Self.sincStride + 1
        var pooledLength = sincLength / Self.pool
        let wave = s.wave.buffer(length).baseAddress!
        let pooled = s.pooled.buffer(Self.sincFilters * pooledLength).baseAddress!
        // InstanceNorm1d(1, affine) on the waveform.
        Self.instanceNorm(samples, into: wave, channels: 1, length: length, weight: [waveNorm.weight], bias: [waveNorm.bias])
        sincStage(wave, frames: pooledLength * Self.pool, scratch: s, into: pooled)
        Self.normalizeAndActivate(pooled, channels: Self.sincFilters, length: pooledLength, norm: norms[0])
        var channels = Self.sincFilters
        for stage in 1..<3 {
            let geometry = Conv1DGeometry(inChannels: channels, outChannels: Self.convChannels, inputLength: pooledLength, kernelSize: Self.convTaps)
            let convolved = s.convolved.buffer(Self.convChannels * geometry.outputLength).baseAddress!
            let columns = s.columns.buffer(geometry.scratchCount)
            conv[stage - 1].weight.withUnsafeBufferPointer { w in
                conv[stage - 1].bias.withUnsafeBufferPointer { b in
                    Conv.conv1d(pooled, geometry: geometry, weight: w.baseAddress!, bias: b.baseAddress!, output: convolved, scratch: columns)
                }
            }
            let convolvedLength = geometry.outputLength
            pooledLength = convolvedLength / Self.pool
            for c in 0..<Self.convChannels {
                for t in 0..<pooledLength {
                    let base = c * convolvedLength + t * Self.pool
                    var m = -Float.infinity
                    for j in 0..<Self.pool { m = max(m, convolved[base + j]) }
                    pooled[c * pooledLength + t] = m
                }
            }
            Self.normalizeAndActivate(pooled, channels: Self.convChannels, length: pooledLength, norm: norms[stage])
            channels = Self.convChannels
        }
        for t in 0..<pooledLength {
            for c in 0..<channels { features[t * channels + c] = pooled[c * pooledLength + t] }
        }
    }

    /// The sinc filters (stride 10), |·| and max-pool 3 over the first `frames` output frames, into
    /// pooled [80 × frames / 3]. Frame t reads samples 10t ..< 10t + 251, one contiguous run, so the
    /// im2col is a row copy per frame ([block × 251], frame-major) and one product per block gives
    /// [block × 80]: no [251 × 15 975] column matrix per window (pyannote: |·| after the sinc filters
    /// only, SincNet issue #4).
    func sincStage(_ wave: UnsafePointer<Float>, frames: Int, scratch s: Scratch, into pooled: UnsafeMutablePointer<Float>) {
        let taps = Self.sincTaps, filters = Self.sincFilters, block = Self.sincBlock, pooledLength = frames / Self.pool
        let rows = s.columns.buffer(block * taps).baseAddress!
        let convolved = s.convolved.buffer(block * filters).baseAddress!
        sincKernel.withUnsafeBufferPointer { w in
            for first in stride(from: 0, to: frames, by: block) {
                let count = min(block, frames - first)
                for t in 0..<count { (rows + t * taps).update(from: wave + (first + t) * Self.sincStride, count: taps) }
                BLAS.sgemm(transB: true, m: count, n: filters, k: taps, a: rows, lda: taps, b: w.baseAddress!, ldb: taps,
                           c: convolved, ldc: filters)
                for p in 0..<(count / Self.pool) {
                    let row = convolved + p * Self.pool * filters, target = first / Self.pool + p
                    for c in 0..<filters {
                        pooled[c * pooledLength + target] = max(abs(row[c]), abs(row[filters + c]), abs(row[2 * filters + c]))
                    }
                }
            }
        }
    }

    /// InstanceNorm then leaky ReLU, in place, over [channels × length].
    static func normalizeAndActivate(_ x: UnsafeMutablePointer<Float>, channels: Int, length: Int, norm: (weight: [Float], bias: [Float])) {
        instanceNorm(x, into: x, channels: channels, length: length, weight: norm.weight, bias: norm.bias)
        for i in 0..<(channels * length) where x[i] < 0 { x[i] *= leakySlope }
    }

    /// InstanceNorm1d with affine weights over [channels × length]: per channel, biased variance.
    /// Sums in double: a channel holds up to 160 000 values.
    static func instanceNorm(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, channels: Int, length: Int, weight: [Float], bias: [Float]) {
        guard length > 0 else { return }
        for c in 0..<channels {
            let base = c * length
            var sum = 0.0
            for t in 0..<length { sum += Double(x[base + t]) }
            let mean = sum / Double(length)
            var squares = 0.0
            for t in 0..<length { let d = Double(x[base + t]) - mean; squares += d * d }
            // (x − mean) · scale + bias, the mean taken off first (in double): folding it into one
            // shift instead cancels catastrophically on the |sinc| channels, whose mean is many
            // standard deviations from zero, and moved log-probabilities by ~5e-4.
            let scale = 1 / (squares / Double(length) + Double(normEpsilon)).squareRoot() * Double(weight[c])
            for t in 0..<length { y[base + t] = Float((Double(x[base + t]) - mean) * scale) + bias[c] }
        }
    }
}
