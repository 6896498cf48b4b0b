// Row normalisations over the last dimension. `output` may equal `input` (in place).
// For Qwen3's per-head q/k RMSNorm, view [seq, heads, headDim] as (seq·heads) rows of headDim.

public enum Norms {
    /// LayerNorm: (x - mean) / sqrt(var + eps) · weight + bias, biased variance as in PyTorch.
    /// Two passes (mean, then squared deviations) so large offsets don't cancel the variance away.
    public static func layerNorm(
        _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>,
        rows: Int, dim: Int,
        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?, eps: Float
    ) {
        guard dim > 0 else { return }
        let width = VectorMath.width
        for r in 0..<rows {
            let x = input + r * dim, y = output + r * dim
            let mean = VectorMath.sum(x, count: dim) / Float(dim)
            var acc = FloatVector()
            var i = 0
            while i + width <= dim {
                let d = VectorMath.load(x + i) - mean
                acc += d * d
                i += width
            }
            var variance = acc.sum()
            while i < dim {
                let d = x[i] - mean
                variance += d * d
                i += 1
            }
            variance /= Float(dim)
            let inverse = 1 / (variance + eps).squareRoot()
            i = 0
            while i + width <= dim {
                var v = (VectorMath.load(x + i) - mean) * inverse * VectorMath.load(weight + i)
                if let bias { v += VectorMath.load(bias + i) }
                VectorMath.store(v, y + i)
                i += width
            }
            while i < dim {
                y[i] = (x[i] - mean) * inverse * weight[i] + (bias?[i] ?? 0)
                i += 1
            }
        }
    }

    /// RMSNorm: x / sqrt(mean(x²) + eps) · weight (Qwen3RMSNorm; computed in f32 as it does).
    public static func rmsNorm(
        _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>,
        rows: Int, dim: Int,
        weight: UnsafePointer<Float>, eps: Float
    ) {
        guard dim > 0 else { return }
        let width = VectorMath.width
        for r in 0..<rows {
            let x = input + r * dim, y = output + r * dim
            var acc = FloatVector()
            var i = 0
            while i + width <= dim {
                let v = VectorMath.load(x + i)
                acc += v * v
                i += width
            }
            var squares = acc.sum()
            while i < dim {
                squares += x[i] * x[i]
                i += 1
            }
            let inverse = 1 / (squares / Float(dim) + eps).squareRoot()
            i = 0
            while i + width <= dim {
                VectorMath.store(VectorMath.load(x + i) * inverse * VectorMath.load(weight + i), y + i)
                i += width
            }
            while i < dim {
                y[i] = x[i] * inverse * weight[i]
                i += 1
            }
        }
    }
}
