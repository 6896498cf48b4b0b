// bfloat16 (the released dtype of the Qwen3 checkpoints): the top 16 bits of a float32.
// Widening is exact (a shift); narrowing rounds to nearest, ties to even, like torch's
// `.to(torch.bfloat16)`, and keeps NaN a (quiet) NaN instead of letting rounding turn it into inf.

public struct BFloat16: Sendable, Hashable, CustomStringConvertible {
    public var bitPattern: UInt16

    public init(bitPattern: UInt16) { self.bitPattern = bitPattern }

    public init(_ value: Float) { bitPattern = BFloat16.narrow(value.bitPattern) }

    public var floatValue: Float { Float(bitPattern: UInt32(bitPattern) << 16) }

    public var description: String { floatValue.description }

    @inline(__always)
    static func narrow(_ bits: UInt32) -> UInt16 {
        if bits & 0x7FFF_FFFF > 0x7F80_0000 { return UInt16(truncatingIfNeeded: bits >> 16) | 0x0040 }
        // Adding 0x7FFF plus the lowest kept bit rounds halves towards an even result.
        let rounded = bits &+ 0x7FFF &+ ((bits >> 16) & 1)
        return UInt16(truncatingIfNeeded: rounded >> 16)
    }

    /// Widens `count` bf16 values (raw bit patterns, e.g. straight from a safetensors file) to Float.
    public static func convert(_ source: UnsafePointer<UInt16>, to destination: UnsafeMutablePointer<Float>, count: Int) {
        let width = 16
        var i = 0
        while i + width <= count {
            let halves = UnsafeRawPointer(source + i).loadUnaligned(as: SIMD16<UInt16>.self)
            let words = SIMD16<UInt32>(truncatingIfNeeded: halves) &<< 16
            UnsafeMutableRawPointer(destination + i).storeBytes(of: words, as: SIMD16<UInt32>.self)
            i += width
        }
        while i < count {
            destination[i] = Float(bitPattern: UInt32(source[i]) << 16)
            i += 1
        }
    }

    /// Narrows `count` floats to bf16 bit patterns, round-to-nearest-even, NaN preserved.
    public static func convert(_ source: UnsafePointer<Float>, to destination: UnsafeMutablePointer<UInt16>, count: Int) {
        let width = 16
        var i = 0
        while i + width <= count {
            let bits = UnsafeRawPointer(source + i).loadUnaligned(as: SIMD16<UInt32>.self)
            let rounded = (bits &+ 0x7FFF &+ ((bits &>> 16) & 1)) &>> 16
            let quietNaN = (bits &>> 16) | 0x0040
            let isNaN = (bits & 0x7FFF_FFFF) .> 0x7F80_0000
            let result = SIMD16<UInt16>(truncatingIfNeeded: rounded.replacing(with: quietNaN, where: isNaN))
            UnsafeMutableRawPointer(destination + i).storeBytes(of: result, as: SIMD16<UInt16>.self)
            i += width
        }
        while i < count {
            destination[i] = narrow(source[i].bitPattern)
            i += 1
        }
    }
}

extension Float {
    public init(_ value: BFloat16) { self = value.floatValue }
}
