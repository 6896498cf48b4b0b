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

    /// Buffers for one window's front end, sized from its sample count; reused across windows.
    struct SincNetScratch {
        var wave: [Float]          // [samples] normalised waveform
        var columns: [Float]       // im2col of the largest conv: [251 × sincLength]
        var convolved: [Float]     // [80 × sincLength]
        var pooled: [Float]        // [80 × sincLength / 3]

        init(samples: Int) {
            let sincLength = samples < PyannoteSegmentation.sincTaps ? 0 : (samples - PyannoteSegmentation.sincTaps) / PyannoteSegmentation.sincStride + 1
            wave = [Float](repeating: 0, count: samples)
            columns = [Float](repeating: 0, count: max(PyannoteSegmentation.sincTaps * sincLength,
                                                      PyannoteSegmentation.sincFilters * PyannoteSegmentation.convTaps * sincLength / 3))
            convolved = [Float](repeating: 0, count: PyannoteSegmentation.sincFilters * sincLength)
            pooled = [Float](repeating: 0, count: PyannoteSegmentation.sincFilters * (sincLength / 3))
        }
    }

    /// SincNet over one window: writes its [frames × 60] features (frame-major, as the LSTM reads them).
    func sincNet(_ samples: [Float], scratch s: inout SincNetScratch, into features: UnsafeMutablePointer<Float>) {
        // InstanceNorm1d(1, affine) on the waveform.
        Self.instanceNorm(samples, into: &s.wave, channels: 1, length: samples.count,
                          weight: [waveNorm.weight], bias: [waveNorm.bias])
        var channels = 1, length = samples.count
        for stage in 0..<3 {
            let outChannels = stage == 0 ? Self.sincFilters : Self.convChannels
            let geometry = Conv1DGeometry(inChannels: channels, outChannels: outChannels, inputLength: length,
                                          kernelSize: stage == 0 ? Self.sincTaps : Self.convTaps,
                                          stride: stage == 0 ? Self.sincStride : 1)
            let input = stage == 0 ? s.wave : s.pooled
            let weight = stage == 0 ? sincKernel : conv[stage - 1].weight
            let bias: [Float]? = stage == 0 ? nil : conv[stage - 1].bias
            input.withUnsafeBufferPointer { x in
                weight.withUnsafeBufferPointer { w in
                    s.columns.withUnsafeMutableBufferPointer { columns in
                        s.convolved.withUnsafeMutableBufferPointer { y in
                            if let bias {
                                bias.withUnsafeBufferPointer { b in
                                    Conv.conv1d(x.baseAddress!, geometry: geometry, weight: w.baseAddress!, bias: b.baseAddress!,
                                                output: y.baseAddress!, scratch: columns)
                                }
                            } else {
                                Conv.conv1d(x.baseAddress!, geometry: geometry, weight: w.baseAddress!, bias: nil,
                                            output: y.baseAddress!, scratch: columns)
                            }
                        }
                    }
                }
            }
            let convolvedLength = geometry.outputLength, pooledLength = convolvedLength / Self.pool
            // |·| after the sinc filters only (pyannote: SincNet issue #4); then max-pool 3.
            for c in 0..<outChannels {
                for t in 0..<pooledLength {
                    let base = c * convolvedLength + t * Self.pool
                    var m = -Float.infinity
                    for j in 0..<Self.pool {
                        let v = stage == 0 ? abs(s.convolved[base + j]) : s.convolved[base + j]
                        m = max(m, v)
                    }
                    s.pooled[c * pooledLength + t] = m
                }
            }
            Self.instanceNorm(s.pooled, into: &s.pooled, channels: outChannels, length: pooledLength,
                              weight: norms[stage].weight, bias: norms[stage].bias)
            for i in 0..<(outChannels * pooledLength) where s.pooled[i] < 0 { s.pooled[i] *= Self.leakySlope }
            channels = outChannels
            length = pooledLength
        }
        for t in 0..<length {
            for c in 0..<channels { features[t * channels + c] = s.pooled[c * length + t] }
        }
    }

    /// InstanceNorm1d with affine weights over [channels × length]: per channel, biased variance.
    /// Sums in double: a channel holds up to 160 000 values.
    static func instanceNorm(_ x: [Float], into y: inout [Float], channels: Int, length: Int, weight: [Float], bias: [Float]) {
        guard length > 0 else { return }
        for c in 0..<channels {
            let base = c * length
            var sum = 0.0
            for t in 0..<length { sum += Double(x[base + t]) }
            let mean = sum / Double(length)
            var squares = 0.0
            for t in 0..<length { let d = Double(x[base + t]) - mean; squares += d * d }
            let scale = Float(1 / (squares / Double(length) + Double(normEpsilon)).squareRoot()) * weight[c]
            let shift = bias[c] - Float(mean) * scale
            for t in 0..<length { y[base + t] = x[base + t] * scale + shift }
        }
    }
}
