// Raw access to a `WeightMatrix` for callers that sometimes need f32 rows rather than a GEMV: many
// input rows at once (a prompt prefill, where BLAS GEMM reuses each weight from cache and beats
// streaming it per 16 rows), and embedding lookups from a tied output projection.

extension WeightMatrix {
    /// Calls `body` with the row-major [rows, cols] values when they are stored as f32; nil otherwise.
    public func withF32Values<R>(_ body: (UnsafePointer<Float>) throws -> R) rethrows -> R? {
        guard case .f32(let values) = storage else { return nil }
        return try values.withUnsafeBufferPointer { try body($0.baseAddress!) }
    }

    /// Writes rows `range` as the f32 values a GEMV multiplies by (widened bf16, dequantised int8)
    /// into `destination`, [range.count, cols] row-major. Allocates nothing.
    public func dequantize(rows range: Range<Int>, into destination: UnsafeMutablePointer<Float>) {
        precondition(range.lowerBound >= 0 && range.upperBound <= rows, "rows \(range) outside 0..<\(rows)")
        let count = range.count * cols, start = range.lowerBound * cols
        switch storage {
        case .f32(let values):
            values.withUnsafeBufferPointer { destination.update(from: $0.baseAddress! + start, count: count) }
        case .bf16(let values):
            values.withUnsafeBufferPointer { v in
                BFloat16.convert(v.baseAddress! + start, to: destination, count: count)
            }
        case .int8(let values, let scales):
            values.withUnsafeBufferPointer { v in
                scales.withUnsafeBufferPointer { s in
                    let groups = groupsPerRow
                    for r in 0..<range.count {
                        let row = range.lowerBound + r
                        let q = v.baseAddress! + row * cols, out = destination + r * cols
                        for g in 0..<groups {
                            let scale = s[row * groups + g]
                            let first = g * groupSize, last = min(cols, first + groupSize)
                            for c in first..<last { out[c] = Float(q[c]) * scale }
                        }
                    }
                }
            }
        }
    }
}
