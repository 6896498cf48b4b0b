// Shared helpers: a seeded generator (results must not depend on the run) and tolerance checks.

import ScribaTensor
import ScribaTestSupport


func randomFloats(_ count: Int, in range: ClosedRange<Float> = -1...1, seed: UInt64) -> [Float] {
    var generator = SplitMix64(seed: seed)
    return (0..<count).map { _ in Float.random(in: range, using: &generator) }
}

/// Largest violation of |actual - expected| ≤ relative·|expected| + absolute, as a ratio:
/// ≤ 1 means every element is within tolerance.
func worstToleranceRatio(_ actual: [Float], _ expected: [Double], relative: Double, absolute: Double = 0) -> Double {
    precondition(actual.count == expected.count, "compared arrays differ in length: \(actual.count) vs \(expected.count)")
    var worst = 0.0
    for (a, e) in zip(actual, expected) {
        let allowed = relative * abs(e) + absolute
        let error = abs(Double(a) - e)
        if a.isNaN || e.isNaN { return .infinity }
        worst = max(worst, allowed == 0 ? (error == 0 ? 0 : .infinity) : error / allowed)
    }
    return worst
}

extension Array where Element == Float {
    /// Runs `body` with a mutable pointer to a copy-free buffer (test convenience).
    mutating func withPointer<R>(_ body: (UnsafeMutablePointer<Float>) throws -> R) rethrows -> R {
        try withUnsafeMutableBufferPointer { try body($0.baseAddress!) }
    }
}
