import CScribaKernels

// The SIMD loops behind `GEMV.multiply`, generic over how a weight row is stored (specialised per
// format, so the widening is inlined). Every (input row, weight row) pair is summed the same way in
// every path: one 16-lane accumulator over the columns of a group in steps of 16 (a short tail
// zero-padded), each group's accumulator times its scale added to a 16-lane total, and the total
// reduced by pairwise halving. Because of that, results do not depend on the thread split, on which rows are
// processed together, or on how many input rows one call takes: they are bit-identical.

protocol WeightRowFormat {
    associatedtype Element
    /// Whether groups carry scales (int8); false lets the scale multiply compile away.
    static var isScaled: Bool { get }
    static func load(_ p: UnsafePointer<Element>) -> FloatVector
    /// One value, converted exactly as `load` converts each lane (for row tails).
    static func scalar(_ p: UnsafePointer<Element>) -> Float
}

extension WeightRowFormat {
    @inline(__always)
    static func loadPartial(_ p: UnsafePointer<Element>, count: Int) -> FloatVector {
        var v = FloatVector()
        for i in 0..<count { v[i] = scalar(p + i) }
        return v
    }
}

enum F32Row: WeightRowFormat {
    static let isScaled = false
    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> FloatVector { VectorMath.load(p) }
    @inline(__always)
    static func scalar(_ p: UnsafePointer<Float>) -> Float { p.pointee }
}

enum BF16Row: WeightRowFormat {
    static let isScaled = false
    @inline(__always)
    static func load(_ p: UnsafePointer<UInt16>) -> FloatVector {
        // bf16 is the top half of an f32: widen and shift, exact. A lane loop, not
        // `SIMD16<UInt32>(truncatingIfNeeded:)`: that generic init is not inlined (a call per vector,
        // operands through memory), while this loop inlines and LLVM turns it into punpck/vpmovzxwd.
        let halves = UnsafeRawPointer(p).loadUnaligned(as: SIMD16<UInt16>.self)
        var words = SIMD16<UInt32>()
        for i in 0..<16 { words[i] = UInt32(truncatingIfNeeded: halves[i]) &<< 16 }
        return unsafeBitCast(words, to: FloatVector.self)
    }
    @inline(__always)
    static func scalar(_ p: UnsafePointer<UInt16>) -> Float { Float(bitPattern: UInt32(p.pointee) << 16) }
}

enum Int8Row: WeightRowFormat {
    static let isScaled = true
    @inline(__always)
    static func load(_ p: UnsafePointer<Int8>) -> FloatVector {
        let bytes = UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Int8>.self)
        // Sign-extend with a lane loop (inlined into punpck+psrad / vpmovsxbd; the generic
        // init is an out-of-line call). Then 2^23 + 2^22 + q has q in its low mantissa bits, and
        // subtracting the constant gives Float(q) exactly in two vector ops on every target.
        var words = SIMD16<Int32>()
        for i in 0..<16 { words[i] = Int32(truncatingIfNeeded: bytes[i]) }
        return unsafeBitCast(words &+ 0x4B40_0000, to: FloatVector.self) - 12_582_912
    }
    @inline(__always)
    static func scalar(_ p: UnsafePointer<Int8>) -> Float { Float(p.pointee) }
}

struct GEMVOperands<Element> {
    let weights: UnsafePointer<Element>
    /// rows × groupsPerRow, or nil when unscaled.
    let scales: UnsafePointer<Float>?
    let rows: Int
    let cols: Int
    let groupSize: Int
    let groupsPerRow: Int
    /// m × cols input rows.
    let x: UnsafePointer<Float>
    let m: Int
    let bias: UnsafePointer<Float>?
    /// m × rows outputs.
    let y: UnsafeMutablePointer<Float>
}

enum GEMVKernels {
    static let width = FloatVector.scalarCount

    /// Output rows [start, end) for every input row.
    @inline(__always)
    static func run<F: WeightRowFormat>(_ format: F.Type, _ o: GEMVOperands<F.Element>, rows range: Range<Int>) {
        if o.m == 1 { singleInput(format, o, rows: range) } else { multipleInputs(format, o, rows: range) }
    }

    /// m = 1: four weight rows at a time share each x load and give four independent FMA chains.
    @inline(__always)
    static func singleInput<F: WeightRowFormat>(_: F.Type, _ o: GEMVOperands<F.Element>, rows range: Range<Int>) {
        let cols = o.cols, x = o.x
        var r = range.lowerBound
        while r + 4 <= range.upperBound {
            let w0 = o.weights + r * cols, w1 = w0 + cols, w2 = w1 + cols, w3 = w2 + cols
            var t0 = FloatVector(), t1 = FloatVector(), t2 = FloatVector(), t3 = FloatVector()
            var group = 0, start = 0
            while start < cols {
                let end = min(start + o.groupSize, cols)
                var a0 = FloatVector(), a1 = FloatVector(), a2 = FloatVector(), a3 = FloatVector()
                var c = start
                while c + width <= end {
                    // The rows two tiles ahead, one line per row every 64 bytes: the hardware
                    // prefetcher alone left a thread at 11.6 GB/s on bf16 rows (14 with this). f32
                    // rows, twice as long, stream well without it and lost a tenth with it.
                    if MemoryLayout<F.Element>.stride < 4, (c * MemoryLayout<F.Element>.stride) & 63 == 0 {
                        let ahead = w0 + 8 * cols + c
                        scriba_prefetch(ahead); scriba_prefetch(ahead + cols)
                        scriba_prefetch(ahead + 2 * cols); scriba_prefetch(ahead + 3 * cols)
                    }
                    let xv = VectorMath.load(x + c)
                    a0 += F.load(w0 + c) * xv
                    a1 += F.load(w1 + c) * xv
                    a2 += F.load(w2 + c) * xv
                    a3 += F.load(w3 + c) * xv
                    c &+= width
                }
                if c < end {
                    let xv = VectorMath.loadPartial(x + c, count: end - c)
                    a0 += F.loadPartial(w0 + c, count: end - c) * xv
                    a1 += F.loadPartial(w1 + c, count: end - c) * xv
                    a2 += F.loadPartial(w2 + c, count: end - c) * xv
                    a3 += F.loadPartial(w3 + c, count: end - c) * xv
                }
                if F.isScaled, let s = o.scales {
                    let g = r * o.groupsPerRow + group
                    t0 += a0 * s[g]
                    t1 += a1 * s[g + o.groupsPerRow]
                    t2 += a2 * s[g + 2 * o.groupsPerRow]
                    t3 += a3 * s[g + 3 * o.groupsPerRow]
                } else {
                    t0 += a0; t1 += a1; t2 += a2; t3 += a3
                }
                start = end
                group += 1
            }
            store(t0, row: r, input: 0, o)
            store(t1, row: r + 1, input: 0, o)
            store(t2, row: r + 2, input: 0, o)
            store(t3, row: r + 3, input: 0, o)
            r += 4
        }
        while r < range.upperBound {
            let w = o.weights + r * cols
            var t = FloatVector()
            var group = 0, start = 0
            while start < cols {
                let end = min(start + o.groupSize, cols)
                var a = FloatVector()
                var c = start
                while c + width <= end {
                    a += F.load(w + c) * VectorMath.load(x + c)
                    c &+= width
                }
                if c < end {
                    a += F.loadPartial(w + c, count: end - c) * VectorMath.loadPartial(x + c, count: end - c)
                }
                if F.isScaled, let s = o.scales { t += a * s[r * o.groupsPerRow + group] } else { t += a }
                start = end
                group += 1
            }
            store(t, row: r, input: 0, o)
            r += 1
        }
    }

    /// m > 1: each weight vector is widened once and used for four input rows; a last tile of fewer
    /// than four repeats its final row (same arithmetic, so the duplicate stores write equal values).
    @inline(__always)
    static func multipleInputs<F: WeightRowFormat>(_: F.Type, _ o: GEMVOperands<F.Element>, rows range: Range<Int>) {
        let cols = o.cols
        for r in range {
            let w = o.weights + r * cols
            var i = 0
            while i < o.m {
                let i0 = i, i1 = min(i + 1, o.m - 1), i2 = min(i + 2, o.m - 1), i3 = min(i + 3, o.m - 1)
                let x0 = o.x + i0 * cols, x1 = o.x + i1 * cols, x2 = o.x + i2 * cols, x3 = o.x + i3 * cols
                var t0 = FloatVector(), t1 = FloatVector(), t2 = FloatVector(), t3 = FloatVector()
                var group = 0, start = 0
                while start < cols {
                    let end = min(start + o.groupSize, cols)
                    var a0 = FloatVector(), a1 = FloatVector(), a2 = FloatVector(), a3 = FloatVector()
                    var c = start
                    while c + width <= end {
                        let wv = F.load(w + c)
                        a0 += wv * VectorMath.load(x0 + c)
                        a1 += wv * VectorMath.load(x1 + c)
                        a2 += wv * VectorMath.load(x2 + c)
                        a3 += wv * VectorMath.load(x3 + c)
                        c &+= width
                    }
                    if c < end {
                        let n = end - c
                        let wv = F.loadPartial(w + c, count: n)
                        a0 += wv * VectorMath.loadPartial(x0 + c, count: n)
                        a1 += wv * VectorMath.loadPartial(x1 + c, count: n)
                        a2 += wv * VectorMath.loadPartial(x2 + c, count: n)
                        a3 += wv * VectorMath.loadPartial(x3 + c, count: n)
                    }
                    if F.isScaled, let s = o.scales {
                        let scale = s[r * o.groupsPerRow + group]
                        t0 += a0 * scale; t1 += a1 * scale; t2 += a2 * scale; t3 += a3 * scale
                    } else {
                        t0 += a0; t1 += a1; t2 += a2; t3 += a3
                    }
                    start = end
                    group += 1
                }
                store(t0, row: r, input: i0, o)
                store(t1, row: r, input: i1, o)
                store(t2, row: r, input: i2, o)
                store(t3, row: r, input: i3, o)
                i += 4
            }
        }
    }

    @inline(__always)
    static func store<E>(_ total: FloatVector, row: Int, input: Int, _ o: GEMVOperands<E>) {
        // Pairwise halving instead of `sum()` (16 dependent scalar adds, which cost as much as the
        // whole row loop for int8 rows of 2048). Every path uses this, so results stay bit-identical.
        let eight = total.lowHalf + total.highHalf
        let four = eight.lowHalf + eight.highHalf
        let two = four.lowHalf + four.highHalf
        var value = two[0] + two[1]
        if let bias = o.bias { value += bias[row] }
        o.y[input * o.rows + row] = value
    }
}
