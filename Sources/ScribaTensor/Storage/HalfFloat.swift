// IEEE binary16 ↔ Float bulk conversion (CTranslate2 Whisper weights are fp16). Swift's `Float16`
// converts one value at a time through a libgcc call on Linux x86_64 (the default target has no
// F16C), so widening here uses integer bit manipulation on 16 lanes instead; it is exact and is
// checked against `Float(Float16)` for all 65,536 bit patterns in the tests.

public enum HalfFloat {
    /// Widens `count` binary16 values (raw bit patterns) to Float; exact, subnormals/inf/NaN included.
    public static func convert(_ source: UnsafePointer<UInt16>, to destination: UnsafeMutablePointer<Float>, count: Int) {
        let width = 16
        var i = 0
        while i + width <= count {
            let halves = SIMD16<UInt32>(truncatingIfNeeded: UnsafeRawPointer(source + i).loadUnaligned(as: SIMD16<UInt16>.self))
            UnsafeMutableRawPointer(destination + i).storeBytes(of: widen(halves), as: SIMD16<UInt32>.self)
            i += width
        }
        if i < count {
            var halves = SIMD16<UInt32>()
            for j in 0..<(count - i) { halves[j] = UInt32(source[i + j]) }
            let words = widen(halves)
            for j in 0..<(count - i) { destination[i + j] = Float(bitPattern: words[j]) }
        }
    }

    /// Narrows `count` floats to binary16 bit patterns, round-to-nearest-even (as `Float16(_:)`).
    /// Used when writing, not in inference, so it simply goes value by value.
    public static func convert(_ source: UnsafePointer<Float>, to destination: UnsafeMutablePointer<UInt16>, count: Int) {
        for i in 0..<count { destination[i] = Float16(source[i]).bitPattern }
    }

    /// Re-biases the exponent (15 → 127) and moves the mantissa up 13 bits. Subnormal halves are
    /// normalised by letting the FPU do it: build 2^-14-scaled value + magic and subtract the magic.
    @inline(__always)
    static func widen(_ h: SIMD16<UInt32>) -> SIMD16<UInt32> {
        let shiftedExponent: UInt32 = 0x7C00 << 13
        var magnitude = (h & 0x7FFF) &<< 13
        let exponent = magnitude & shiftedExponent
        magnitude &+= (127 - 15) << 23
        // Inf/NaN: push the exponent the rest of the way to 255.
        magnitude = magnitude.replacing(with: magnitude &+ ((128 - 16) << 23), where: exponent .== shiftedExponent)
        // Zero/subnormal: value = mantissa · 2^-24, exact via one float subtraction.
        let magic = Float(bitPattern: 113 << 23)
        let subnormal = unsafeBitCast(
            unsafeBitCast(magnitude &+ (1 << 23), to: SIMD16<Float>.self) - magic, to: SIMD16<UInt32>.self)
        magnitude = magnitude.replacing(with: subnormal, where: exponent .== 0)
        return magnitude | ((h & 0x8000) &<< 16)
    }
}
