// Symmetric int8 quantisation of weight rows: scale = max|w| / 127 per group, q = round(w / scale),
// so |q·scale − w| ≤ scale/2 for every element and the largest-magnitude weight is exact up to
// rounding of the scale itself. Zero rows get scale 0 (all q = 0). Rounding uses the 1.5·2^23
// trick (ties to even) because `rounded()` calls libm per lane on Linux.

enum Int8Quantization {
    /// Quantises `count` floats in groups of `groupSize` (the last may be shorter). Returns the
    /// column of the first NaN/infinite value, or nil on success.
    static func quantizeRow(
        _ row: UnsafePointer<Float>, count: Int, groupSize: Int,
        values: UnsafeMutablePointer<Int8>, scales: UnsafeMutablePointer<Float>
    ) -> Int? {
        var group = 0
        var start = 0
        while start < count {
            let end = min(start + groupSize, count)
            var maxMagnitude: Float = 0
            for c in start..<end {
                let magnitude = abs(row[c])
                guard magnitude.isFinite else { return c }
                maxMagnitude = max(maxMagnitude, magnitude)
            }
            let scale = maxMagnitude / 127
            scales[group] = scale
            let inverse: Float = scale > 0 ? 1 / scale : 0
            let magic: Float = 12_582_912
            for c in start..<end {
                // |row[c]·inverse| ≤ 127 up to one rounding, so the clamp only guards that last ulp.
                let q = min(max((row[c] * inverse + magic) - magic, -127), 127)
                values[c] = Int8(q)
            }
            start = end
            group += 1
        }
        return nil
    }
}
