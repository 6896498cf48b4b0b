// Row-wise softmax, numerically stable (subtract the row maximum before exponentiating).

public enum Softmax {
    /// Softmax over `count` values in place. A row of all -inf (fully masked) becomes all zeros
    /// rather than NaN, so a masked-out query contributes nothing instead of poisoning the output.
    public static func row(_ x: UnsafeMutablePointer<Float>, count: Int) {
        guard count > 0 else { return }
        let maximum = VectorMath.horizontalMax(x, count: count)
        guard maximum > -.infinity else {
            x.update(repeating: 0, count: count)
            return
        }
        let total = VectorMath.expShiftedSum(x, count: count, shift: maximum)
        VectorMath.scale(x, count: count, by: 1 / total)
    }

    /// Softmax of each of `rows` rows of `cols` values (row stride `cols`), in place.
    public static func rows(_ x: UnsafeMutablePointer<Float>, rows: Int, cols: Int) {
        for r in 0..<rows { row(x + r * cols, count: cols) }
    }
}

extension Tensor {
    /// Softmax over the last dimension (for tests and simple callers).
    public func softmaxLastDimension() -> Tensor {
        var result = self
        let cols = shape.last ?? 1
        let rows = cols == 0 ? 0 : count / cols
        result.data.withUnsafeMutableBufferPointer { p in
            guard let base = p.baseAddress else { return }
            Softmax.rows(base, rows: rows, cols: cols)
        }
        return result
    }
}
