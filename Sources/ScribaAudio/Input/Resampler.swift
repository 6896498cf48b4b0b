import Foundation

/// Band-limited sample-rate conversion by any rational ratio: a Kaiser-windowed sinc evaluated as a
/// precomputed polyphase table, one contiguous SIMD dot product per output sample.
///
/// Output sample n sits exactly at input position n * from / to (no added delay), so a resampled
/// sine lines up with the ideal sine at the new rate.
public enum Resampler {
    /// Resamples `samples` (one channel) from `from` Hz to `to` Hz. Returns a copy when the rates
    /// are equal and `[]` when either rate is outside 1...`AudioSourceInfo.maxSampleRate` (the
    /// decoders reject such rates with a typed error before getting here).
    /// Output length is ceil(count * to / from): every output instant inside the input is produced.
    public static func resample(_ samples: [Float], from inputRate: Int, to outputRate: Int) -> [Float] {
        let valid = 1...AudioSourceInfo.maxSampleRate
        guard valid.contains(inputRate), valid.contains(outputRate) else { return [] }
        if inputRate == outputRate || samples.isEmpty { return samples }
        return ResamplingFilter.shared(from: inputRate, to: outputRate).apply(samples)
    }
}

/// One rate pair's polyphase table. Built once per pair and cached: building costs a few ms
/// (phases × taps Bessel evaluations), applying it is the hot path.
struct ResamplingFilter: Sendable {
    // Design (frequencies relative to the Nyquist of the lower rate, e.g. 8 kHz for → 16 kHz):
    // passband to 0.94 (7.52 kHz), stopband from 1.06 (8.48 kHz, which folds back to 7.52 kHz, so
    // nothing aliases into the passband), 80 dB stopband. Kaiser's formulas give beta and length.
    /// Passband edge as a fraction of the lower rate's Nyquist frequency.
    static let passbandEdge = 0.94
    /// Stopband edge as a fraction of the lower rate's Nyquist frequency.
    static let stopbandEdge = 1.06
    /// Stopband attenuation target in dB (also bounds passband ripple to about 1e-4).
    static let attenuationDB = 80.0
    /// Above this many distinct phases (e.g. 44100 → 16001 Hz needs 16001) the fractional position
    /// is rounded to 1/4096 of an input sample: timing error ≤ 1/8192 sample, which for a 7.5 kHz
    /// tone at 44.1 kHz is an error near -78 dB, below the filter's own stopband.
    static let maxPhases = 4096
    /// Table size cap (floats, 16 MiB): only extreme ratios (hundreds of kHz with no common
    /// factor) hit it, and then get fewer phases rather than an unbounded allocation.
    static let maxTableSize = 4 << 20

    let inputRate: Int
    let outputRate: Int
    /// Reduced ratio: output/input = up/down.
    let up: Int, down: Int
    let phases: Int
    /// Taps per phase (a multiple of 8 so the dot product has no scalar tail).
    let tapCount: Int
    /// Input index of tap 0 is `floor(position) - leadTaps`.
    let leadTaps: Int
    /// phases × tapCount, row p holds the kernel for fractional position p / phases.
    let table: [Float]

    /// Rates must be positive (`Resampler.resample` checks).
    init(from inputRate: Int, to outputRate: Int) {
        self.inputRate = inputRate
        self.outputRate = outputRate
        let g = Self.gcd(inputRate, outputRate)
        up = outputRate / g
        down = inputRate / g

        let lowRate = Double(min(inputRate, outputRate))
        let cutoffHz = (Self.passbandEdge + Self.stopbandEdge) / 2 * lowRate / 2
        let transition = 2 * Double.pi * (Self.stopbandEdge - Self.passbandEdge) * (lowRate / 2) / lowRate
        let a = Self.attenuationDB
        let beta = a > 50 ? 0.1102 * (a - 8.7) : 0.5842 * pow(a - 21, 0.4) + 0.07886 * (a - 21)
        let lengthAtLowRate = (a - 7.95) / (2.285 * transition)
        let halfWidth = lengthAtLowRate / 2 * Double(inputRate) / lowRate // in input samples
        let k = Int(halfWidth.rounded(.up))
        leadTaps = k - 1
        tapCount = (2 * k + 7) / 8 * 8
        phases = max(1, min(up, Self.maxPhases, Self.maxTableSize / tapCount))

        let fc = cutoffHz / Double(inputRate) // cycles per input sample
        let i0Beta = Self.besselI0(beta)
        var table = [Float](repeating: 0, count: phases * tapCount)
        for p in 0..<phases {
            let frac = Double(p) / Double(phases)
            var row = [Double](repeating: 0, count: tapCount)
            var sum = 0.0
            for i in 0..<(2 * k) {
                let t = frac + Double(leadTaps - i) // position minus tap index
                guard abs(t) < halfWidth else { continue }
                let x = 2 * fc * t
                let sinc = x == 0 ? 1 : sin(Double.pi * x) / (Double.pi * x)
                let r = t / halfWidth
                let window = Self.besselI0(beta * (1 - r * r).squareRoot()) / i0Beta
                row[i] = 2 * fc * sinc * window
                sum += row[i]
            }
            // Unit DC gain for every phase, so a constant input stays constant (no phase-dependent ripple).
            for i in 0..<tapCount { table[p * tapCount + i] = Float(row[i] / sum) }
        }
        self.table = table
    }

    func outputCount(forInputCount count: Int) -> Int {
        (count * up + down - 1) / down
    }

    func apply(_ input: [Float]) -> [Float] {
        let count = input.count
        let outCount = outputCount(forInputCount: count)
        return [Float](unsafeUninitializedCapacity: outCount) { out, initialized in
            input.withUnsafeBufferPointer { src in
                table.withUnsafeBufferPointer { taps in
                    run(src.baseAddress!, count: count, taps: taps.baseAddress!, out: out.baseAddress!, outCount: outCount)
                }
            }
            initialized = outCount
        }
    }

    private func run(_ x: UnsafePointer<Float>, count: Int, taps: UnsafePointer<Float>,
                     out: UnsafeMutablePointer<Float>, outCount: Int) {
        let exact = phases == up
        for n in 0..<outCount {
            let position = n * down
            var base = position / up
            let remainder = position - base * up
            var phase = exact ? remainder : (remainder * phases + up / 2) / up
            if phase == phases { phase = 0; base += 1 }
            let first = base - leadTaps
            let row = taps + phase * tapCount
            if first >= 0, first + tapCount <= count {
                out[n] = Self.dot(x + first, row, tapCount)
            } else {
                // Edges: taps outside the signal see zeros.
                var sum: Float = 0
                for i in max(0, -first)..<min(tapCount, count - first) { sum += x[first + i] * row[i] }
                out[n] = sum
            }
        }
    }

    @inline(__always)
    private static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc0 = SIMD8<Float>(), acc1 = SIMD8<Float>()
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        var i = 0
        while i + 16 <= n {
            acc0 += ra.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
                * rb.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            acc1 += ra.loadUnaligned(fromByteOffset: i * 4 + 32, as: SIMD8<Float>.self)
                * rb.loadUnaligned(fromByteOffset: i * 4 + 32, as: SIMD8<Float>.self)
            i += 16
        }
        if i < n {
            acc0 += ra.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
                * rb.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
        }
        return (acc0 + acc1).sum()
    }

    private static func gcd(_ a: Int, _ b: Int) -> Int {
        var (a, b) = (a, b)
        while b != 0 { (a, b) = (b, a % b) }
        return a
    }

    /// Modified Bessel function of the first kind, order 0 (power series; converges fast for the
    /// beta ≤ 12 used by Kaiser windows).
    static func besselI0(_ x: Double) -> Double {
        var sum = 1.0, term = 1.0
        let half = x / 2
        for k in 1..<64 {
            term *= (half / Double(k)) * (half / Double(k))
            sum += term
            if term < sum * 1e-17 { break }
        }
        return sum
    }

    // MARK: - Cache

    private final class Cache: @unchecked Sendable {
        let lock = NSLock()
        var filters: [Int64: ResamplingFilter] = [:]
    }
    private static let cache = Cache()

    /// The cached filter for a rate pair (building one is the only non-trivial setup cost).
    static func shared(from inputRate: Int, to outputRate: Int) -> ResamplingFilter {
        let key = Int64(inputRate) << 32 | Int64(outputRate)
        cache.lock.lock()
        defer { cache.lock.unlock() }
        if let filter = cache.filters[key] { return filter }
        let filter = ResamplingFilter(from: inputRate, to: outputRate)
        if cache.filters.count > 16 { cache.filters.removeAll() }
        cache.filters[key] = filter
        return filter
    }
}
