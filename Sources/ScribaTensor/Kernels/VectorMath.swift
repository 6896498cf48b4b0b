// SIMD building blocks shared by the kernels: unaligned loads/stores, exp and erfc on 16 lanes.
// Written with bit tricks instead of `rounded()`/`Int32(_:rounding:)`, because those scalarise
// into libm calls per lane on Linux (checked in the emitted assembly).

typealias FloatVector = SIMD16<Float>

enum VectorMath {
    static let width = FloatVector.scalarCount

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> FloatVector {
        UnsafeRawPointer(p).loadUnaligned(as: FloatVector.self)
    }

    @inline(__always)
    static func store(_ v: FloatVector, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: FloatVector.self)
    }

    /// Loads the last `count` (< 16) values, zero-padding the rest, so tails use the same vector
    /// code as the body and give bit-identical results to it.
    @inline(__always)
    static func loadPartial(_ p: UnsafePointer<Float>, count: Int) -> FloatVector {
        var v = FloatVector()
        for i in 0..<count { v[i] = p[i] }
        return v
    }

    @inline(__always)
    static func storePartial(_ v: FloatVector, _ p: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { p[i] = v[i] }
    }

    /// Applies `Op` to `count` values from `src` into `dst` (which may equal `src`). A generic over a
    /// type rather than a closure: the closure version was merged across kernels and called through
    /// a pointer per vector (5× slower); a generic is specialised with the op inlined.
    @inline(__always)
    static func map<Op: VectorOperation>(
        _: Op.Type, _ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, count: Int
    ) {
        var i = 0
        while i + width <= count {
            store(Op.apply(load(src + i)), dst + i)
            i += width
        }
        if i < count { storePartial(Op.apply(loadPartial(src + i, count: count - i)), dst + i, count: count - i) }
    }

    /// e^x, Cephes-style: x = n·ln2 + r, a degree-6 polynomial for e^r, 2^n through the exponent
    /// bits. About 2 ulp over the float range; below -87.3 (where 2^n would be subnormal) it
    /// returns 0, above 88.37 it saturates at ~2.4e38 instead of overflowing to inf.
    @inline(__always)
    static func exp(_ x: FloatVector) -> FloatVector {
        // Clamped with compare-and-select: `clamped(lowerBound:upperBound:)` scalarises (NaN checks per lane).
        let low: Float = -87.33654, high: Float = 88.37626
        let clamped = x.replacing(with: low, where: x .< low).replacing(with: high, where: x .> high)
        // Adding 1.5·2^23 rounds to the nearest integer and leaves it in the low mantissa bits.
        let magic: Float = 12_582_912
        let shifted = clamped * 1.442_695_04 + magic
        let n = unsafeBitCast(shifted, to: SIMD16<Int32>.self) &- 0x4B40_0000
        let fn = shifted - magic
        // ln2 split in two so n·ln2_hi is exact.
        var r = clamped - fn * 0.693_359_375
        r = r - fn * -2.121_944_4e-4
        let r2 = r * r
        var p = FloatVector(repeating: 1.987_569_15e-4)
        p = p * r + 1.398_199_95e-3
        p = p * r + 8.333_451_9e-3
        p = p * r + 4.166_579_59e-2
        p = p * r + 1.666_666_55e-1
        p = p * r + 5.000_000_12e-1
        let er = p * r2 + r + 1
        let scale = unsafeBitCast((n &+ 127) &<< 23, to: FloatVector.self)
        return (er * scale).replacing(with: 0, where: x .< low)
    }

    /// erfc(z) for z ≥ 0 with relative error ≈ 1.2e-7 (Chebyshev fit of Press et al.,
    /// Numerical Recipes §6.2): erfc(z) = t·exp(-z² + P(t)), t = 1/(1 + z/2). Relative accuracy
    /// in the tail is what GELU(x) = x/2 · erfc(-x/√2) needs for negative x.
    @inline(__always)
    static func erfcNonNegative(_ z: FloatVector) -> FloatVector {
        let t = 1 / (1 + 0.5 * z)
        var p = FloatVector(repeating: 0.170_872_77)
        p = p * t - 0.822_152_23
        p = p * t + 1.488_515_87
        p = p * t - 1.135_203_98
        p = p * t + 0.278_868_07
        p = p * t - 0.186_288_06
        p = p * t + 0.096_784_18
        p = p * t + 0.374_091_96
        p = p * t + 1.000_023_68
        p = p * t - 1.265_512_23
        return t * exp(p - z * z)
    }

    @inline(__always)
    static func horizontalMax(_ p: UnsafePointer<Float>, count: Int) -> Float {
        var m = FloatVector(repeating: -.infinity)
        var i = 0
        while i + width <= count {
            // Compare-and-select: `pointwiseMax` scalarises (NaN rules per lane).
            let v = load(p + i)
            m = m.replacing(with: v, where: v .> m)
            i += width
        }
        var result = m.max()
        while i < count {
            result = Swift.max(result, p[i])
            i += 1
        }
        return result
    }

    @inline(__always)
    static func sum(_ p: UnsafePointer<Float>, count: Int) -> Float {
        var s = FloatVector()
        var i = 0
        while i + width <= count {
            s += load(p + i)
            i += width
        }
        var result = s.sum()
        while i < count {
            result += p[i]
            i += 1
        }
        return result
    }

    /// p[i] *= factor.
    @inline(__always)
    static func scale(_ p: UnsafeMutablePointer<Float>, count: Int, by factor: Float) {
        var i = 0
        while i + width <= count {
            store(load(p + i) * factor, p + i)
            i += width
        }
        while i < count {
            p[i] *= factor
            i += 1
        }
    }

    /// p[i] = exp(p[i] - shift); returns the sum of the results (softmax's two inner passes in one).
    @inline(__always)
    static func expShiftedSum(_ p: UnsafeMutablePointer<Float>, count: Int, shift: Float) -> Float {
        var total = FloatVector()
        var i = 0
        while i + width <= count {
            let e = exp(load(p + i) - shift)
            store(e, p + i)
            total += e
            i += width
        }
        if i < count {
            // Padding lanes hold -inf so they add exp(-inf) = 0 to the sum.
            var v = FloatVector(repeating: -.infinity)
            for j in 0..<(count - i) { v[j] = p[i + j] }
            let e = exp(v - shift)
            storePartial(e, p + i, count: count - i)
            total += e
        }
        return total.sum()
    }
}

/// A lane-wise function for `VectorMath.map`.
protocol VectorOperation {
    static func apply(_ x: FloatVector) -> FloatVector
}
