// Element-wise activations. Each takes `input` and `output` (which may be the same buffer, for
// in-place use) and a count; the Whisper/Qwen3-ASR encoders use GELU (erf form), the Qwen3
// decoder SwiGLU (SiLU gate times up projection).

public enum Activations {
    /// GELU, exact (erf) form: x/2 · (1 + erf(x/√2)), as torch.nn.GELU() / F.gelu(approximate="none").
    /// Computed as x/2 · erfc(-x/√2) so negative inputs keep their relative accuracy (~1e-6).
    public static func geluErf(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, count: Int) {
        VectorMath.map(GeluErf.self, input, output, count: count)
    }

    /// GELU, tanh approximation (F.gelu(approximate="tanh"), HF "gelu_new"/"gelu_pytorch_tanh"):
    /// x/2 · (1 + tanh(√(2/π)(x + 0.044715x³))), evaluated as x · sigmoid(2u), which is the same
    /// value without the cancellation 1 + tanh(u) suffers for large negative u.
    public static func geluTanh(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, count: Int) {
        VectorMath.map(GeluTanh.self, input, output, count: count)
    }

    /// SiLU (swish): x · sigmoid(x) = x / (1 + e^-x).
    public static func silu(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, count: Int) {
        VectorMath.map(Silu.self, input, output, count: count)
    }

    /// SwiGLU gate: output = silu(gate) · up, element-wise. `output` may alias `gate` or `up`.
    public static func siluGateMultiply(
        gate: UnsafePointer<Float>, up: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, count: Int
    ) {
        let width = VectorMath.width
        var i = 0
        while i + width <= count {
            let g = VectorMath.load(gate + i)
            let u = VectorMath.load(up + i)
            VectorMath.store(g / (1 + VectorMath.exp(-g)) * u, output + i)
            i += width
        }
        if i < count {
            let rest = count - i
            let g = VectorMath.loadPartial(gate + i, count: rest)
            let u = VectorMath.loadPartial(up + i, count: rest)
            VectorMath.storePartial(g / (1 + VectorMath.exp(-g)) * u, output + i, count: rest)
        }
    }

    /// In-place conveniences.
    public static func geluErf(_ x: UnsafeMutablePointer<Float>, count: Int) { geluErf(x, x, count: count) }
    public static func geluTanh(_ x: UnsafeMutablePointer<Float>, count: Int) { geluTanh(x, x, count: count) }
    public static func silu(_ x: UnsafeMutablePointer<Float>, count: Int) { silu(x, x, count: count) }
}

private enum GeluErf: VectorOperation {
    @inline(__always)
    static func apply(_ x: FloatVector) -> FloatVector {
        let z = x * -0.707_106_77  // -x/√2
        let negative = z .< 0
        let tail = VectorMath.erfcNonNegative(z.replacing(with: -z, where: negative))
        // erfc(z) for z < 0 is 2 - erfc(|z|).
        return 0.5 * x * tail.replacing(with: 2 - tail, where: negative)
    }
}

private enum GeluTanh: VectorOperation {
    @inline(__always)
    static func apply(_ x: FloatVector) -> FloatVector {
        let u = 0.797_884_56 * (x + 0.044_715 * x * x * x)
        return x / (1 + VectorMath.exp(-2 * u))
    }
}

private enum Silu: VectorOperation {
    @inline(__always)
    static func apply(_ x: FloatVector) -> FloatVector { x / (1 + VectorMath.exp(-x)) }
}

extension Tensor {
    public enum Activation: Sendable { case geluErf, geluTanh, silu }

    /// Returns a copy with `activation` applied element-wise (for tests and simple callers).
    public func applying(_ activation: Activation) -> Tensor {
        var result = self
        let n = count
        result.data.withUnsafeMutableBufferPointer { p in
            guard let base = p.baseAddress else { return }
            switch activation {
            case .geluErf: Activations.geluErf(base, count: n)
            case .geluTanh: Activations.geluTanh(base, count: n)
            case .silu: Activations.silu(base, count: n)
            }
        }
        return result
    }
}
