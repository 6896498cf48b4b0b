import Foundation
import Testing
import ScribaTensor

// 37 values: not a multiple of the 16-lane vector width, so the tail path is exercised too.
private let inputs: [Float] = (0..<37).map { Float($0) * 0.5 - 9 } + randomFloats(100, in: -6...6, seed: 11)

private func run(_ f: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void, _ x: [Float]) -> [Float] {
    var y = [Float](repeating: .nan, count: x.count)
    x.withUnsafeBufferPointer { xp in y.withPointer { f(xp.baseAddress!, $0, x.count) } }
    return y
}

@Test func geluErfMatchesKnownValues() {
    // gelu(x) = x·Φ(x): Φ(1) = 0.841344746…, Φ(-1) = 0.158655254…, Φ(2) = 0.977249868….
    let y = run({ Activations.geluErf($0, $1, count: $2) }, [1, -1, 2, 0])
    #expect(abs(y[0] - 0.841_344_7) < 1e-6)
    #expect(abs(y[1] - -0.158_655_25) < 1e-6)
    #expect(abs(y[2] - 1.954_499_7) < 2e-6)
    #expect(y[3] == 0)
}

@Test func geluErfMatchesDoublePrecisionReference() {
    let y = run({ Activations.geluErf($0, $1, count: $2) }, inputs)
    let reference = inputs.map { x -> Double in let d = Double(x); return 0.5 * d * erfc(-d / 2.0.squareRoot()) }
    // Relative 1e-5 (the erfc fit is 1.2e-7; float exp of -z² loses a few ulp of z² at |x| ~ 9)
    // plus 1e-30 absolute for results that underflow.
    #expect(worstToleranceRatio(y, reference, relative: 1e-5, absolute: 1e-30) <= 1)
}

@Test func geluTanhMatchesDoublePrecisionReference() {
    let y = run({ Activations.geluTanh($0, $1, count: $2) }, inputs)
    let reference = inputs.map { x -> Double in
        let d = Double(x)
        return 0.5 * d * (1 + tanh((2 / Double.pi).squareRoot() * (d + 0.044715 * d * d * d)))
    }
    // Absolute part covers the deep negative tail where the reference's 1 + tanh cancels.
    #expect(worstToleranceRatio(y, reference, relative: 1e-5, absolute: 1e-12) <= 1)
    // gelu_tanh(1) = 0.841191990… (differs from the erf form in the 4th decimal).
    #expect(abs(run({ Activations.geluTanh($0, $1, count: $2) }, [1])[0] - 0.841_192) < 1e-6)
}

@Test func siluMatchesDoublePrecisionReference() {
    let y = run({ Activations.silu($0, $1, count: $2) }, inputs)
    let reference = inputs.map { x -> Double in let d = Double(x); return d / (1 + exp(-d)) }
    #expect(worstToleranceRatio(y, reference, relative: 1e-5, absolute: 1e-30) <= 1)
}

@Test func siluGateMultipliesUpProjection() {
    let gate = randomFloats(53, in: -5...5, seed: 1), up = randomFloats(53, in: -3...3, seed: 2)
    var y = [Float](repeating: .nan, count: 53)
    y.withPointer { Activations.siluGateMultiply(gate: gate, up: up, output: $0, count: 53) }
    let reference = zip(gate, up).map { g, u -> Double in Double(g) / (1 + exp(-Double(g))) * Double(u) }
    #expect(worstToleranceRatio(y, reference, relative: 1e-5, absolute: 1e-30) <= 1)
}

@Test func activationsWorkInPlace() {
    var x = inputs
    x.withPointer { Activations.geluErf($0, count: inputs.count) }
    #expect(x == run({ Activations.geluErf($0, $1, count: $2) }, inputs))
    #expect(Tensor(shape: [inputs.count], data: inputs).applying(.silu).data == run({ Activations.silu($0, $1, count: $2) }, inputs))
}
