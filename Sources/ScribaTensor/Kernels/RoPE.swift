// Rotary position embedding, Qwen3/GPT-NeoX "rotate-half" layout: for head dimension d the pairs are
// (i, i + d/2), i < d/2, rotated by angle pos · theta^(-2i/d).
//
// Angles are formed as in Hugging Face (`inv_freq` and `pos · inv_freq` in float32, then cos/sin),
// not in double: at position 1000 that float32 product is off by up to ~3e-5 rad, and matching the
// reference matters more than the extra digits.

import Foundation

/// Precomputed cos/sin for positions 0..<maxPositions, so decoding a token reads a table row
/// instead of calling cos/sin. Positions past the table are computed on the fly (slower, same values).
public struct RoPETable: Sendable {
    public let headDim: Int
    public let maxPositions: Int
    public let theta: Double
    /// [headDim/2] float32, as HF's `inv_freq`.
    public let inverseFrequencies: [Float]
    /// [maxPositions × headDim/2] each.
    private let cosTable: [Float]
    private let sinTable: [Float]

    public init(headDim: Int, maxPositions: Int, theta: Double) {
        precondition(headDim > 0 && headDim % 2 == 0, "RoPE head dimension must be even, got \(headDim)")
        self.headDim = headDim
        self.maxPositions = max(0, maxPositions)
        self.theta = theta
        let half = headDim / 2
        let inverse = (0..<half).map { i in Float(1 / pow(theta, Double(2 * i) / Double(headDim))) }
        inverseFrequencies = inverse
        var cosValues = [Float](repeating: 0, count: self.maxPositions * half)
        var sinValues = cosValues
        for position in 0..<self.maxPositions {
            for i in 0..<half {
                let angle = Double(Float(position) * inverse[i])
                cosValues[position * half + i] = Float(cos(angle))
                sinValues[position * half + i] = Float(sin(angle))
            }
        }
        cosTable = cosValues
        sinTable = sinValues
    }

    /// Rotates `rows` rows of `heads` heads in place. Row r has position `positions[r]` and starts at
    /// `x + r · rowStride` (rowStride defaults to heads · headDim; pass a larger one for a fused QKV row).
    public func apply(
        _ x: UnsafeMutablePointer<Float>, rows: Int, heads: Int, rowStride: Int? = nil,
        positions: UnsafePointer<Int>
    ) {
        let stride = rowStride ?? heads * headDim
        let half = headDim / 2
        cosTable.withUnsafeBufferPointer { cosBuffer in
            sinTable.withUnsafeBufferPointer { sinBuffer in
                var spillCos = [Float](), spillSin = [Float]()
                for r in 0..<rows {
                    let position = positions[r]
                    let c: UnsafePointer<Float>, s: UnsafePointer<Float>
                    if position >= 0 && position < maxPositions {
                        c = cosBuffer.baseAddress! + position * half
                        s = sinBuffer.baseAddress! + position * half
                        rotate(x + r * stride, heads: heads, cos: c, sin: s)
                    } else {
                        // Rare (beyond the table): allocate once per call, not per row.
                        if spillCos.isEmpty {
                            spillCos = [Float](repeating: 0, count: half)
                            spillSin = spillCos
                        }
                        for i in 0..<half {
                            let angle = Double(Float(position) * inverseFrequencies[i])
                            spillCos[i] = Float(Foundation.cos(angle))
                            spillSin[i] = Float(Foundation.sin(angle))
                        }
                        spillCos.withUnsafeBufferPointer { cp in
                            spillSin.withUnsafeBufferPointer { sp in
                                rotate(x + r * stride, heads: heads, cos: cp.baseAddress!, sin: sp.baseAddress!)
                            }
                        }
                    }
                }
            }
        }
    }

    /// Consecutive positions startPosition, startPosition + 1, … (prefill, or one decode step).
    public func apply(
        _ x: UnsafeMutablePointer<Float>, rows: Int, heads: Int, rowStride: Int? = nil, startPosition: Int
    ) {
        let stride = rowStride ?? heads * headDim
        for r in 0..<rows {
            withUnsafePointer(to: startPosition + r) { p in
                apply(x + r * stride, rows: 1, heads: heads, rowStride: stride, positions: p)
            }
        }
    }

    @inline(__always)
    private func rotate(_ row: UnsafeMutablePointer<Float>, heads: Int, cos c: UnsafePointer<Float>, sin s: UnsafePointer<Float>) {
        let half = headDim / 2
        let width = VectorMath.width
        for h in 0..<heads {
            let first = row + h * headDim, second = first + half
            var i = 0
            while i + width <= half {
                let x1 = VectorMath.load(first + i), x2 = VectorMath.load(second + i)
                let cv = VectorMath.load(c + i), sv = VectorMath.load(s + i)
                VectorMath.store(x1 * cv - x2 * sv, first + i)
                VectorMath.store(x2 * cv + x1 * sv, second + i)
                i += width
            }
            while i < half {
                let x1 = first[i], x2 = second[i]
                first[i] = x1 * c[i] - x2 * s[i]
                second[i] = x2 * c[i] + x1 * s[i]
                i += 1
            }
        }
    }
}
