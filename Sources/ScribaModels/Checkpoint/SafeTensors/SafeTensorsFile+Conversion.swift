// F32 / F16 / BF16 → Float, eight lanes at a time. Source bytes are little-endian (as the format
// specifies, and as every host Scriba targets is) and may be unaligned: offsets are only
// dtype-aligned relative to the data section, which starts at 8 + header length.
// Kept private to this file on purpose; ScribaTensor may grow shared bf16 helpers later.

extension SafeTensorsFile {
    static func convert(_ source: UnsafeRawPointer, dtype: DType, count: Int,
                        into destination: UnsafeMutablePointer<Float>?) {
        guard count > 0, let destination else { return }
        switch dtype {
        case .f32:
            UnsafeMutableRawPointer(destination).copyMemory(from: source, byteCount: count * 4)
        case .bf16:
            widenBF16(source, count: count, into: UnsafeMutableRawPointer(destination))
        case .f16:
            widenF16(source, count: count, into: UnsafeMutableRawPointer(destination))
        default:
            // Callers check `convertsToFloat` first; reaching here would be a bug in this file.
            assertionFailure("convert called for \(dtype)")
        }
    }
}

/// BF16 is the top half of an IEEE float, so widening is a 16-bit shift (exact, NaN payloads kept).
private func widenBF16(_ source: UnsafeRawPointer, count: Int, into destination: UnsafeMutableRawPointer) {
    var i = 0
    while i + 8 <= count {
        let halves = source.loadUnaligned(fromByteOffset: i * 2, as: SIMD8<UInt16>.self)
        let bits = SIMD8<UInt32>(truncatingIfNeeded: halves) &<< 16
        destination.storeBytes(of: bits, toByteOffset: i * 4, as: SIMD8<UInt32>.self)
        i += 8
    }
    while i < count {
        let half = source.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self)
        destination.storeBytes(of: UInt32(half) << 16, toByteOffset: i * 4, as: UInt32.self)
        i += 1
    }
}

/// IEEE half → single by moving the exponent/mantissa bits into place and rebasing the exponent
/// (bias 15 → 127). Two exponent classes need more: all-ones (inf/NaN) gets the rest of the float
/// exponent range added, and zero/subnormal is renormalised by a float subtraction of 2^-14.
/// Branch-free so it runs on SIMD lanes; exact for every one of the 65 536 inputs.
private func widenF16(_ source: UnsafeRawPointer, count: Int, into destination: UnsafeMutableRawPointer) {
    var i = 0
    while i + 8 <= count {
        let halves = source.loadUnaligned(fromByteOffset: i * 2, as: SIMD8<UInt16>.self)
        destination.storeBytes(of: f16BitsToF32Bits(SIMD8<UInt32>(truncatingIfNeeded: halves)),
                               toByteOffset: i * 4, as: SIMD8<UInt32>.self)
        i += 8
    }
    while i < count {
        let half = source.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self)
        let lanes = f16BitsToF32Bits(SIMD8<UInt32>(repeating: UInt32(half)))
        destination.storeBytes(of: lanes[0], toByteOffset: i * 4, as: UInt32.self)
        i += 1
    }
}

private let f16ExponentRebase: UInt32 = (127 - 15) << 23
private let f16InfNaNExtra: UInt32 = (128 - 16) << 23
private let f16Subnormal2p14 = Float(bitPattern: 113 << 23)  // 2^-14, the smallest normal half

@inline(__always)
private func f16BitsToF32Bits(_ half: SIMD8<UInt32>) -> SIMD8<UInt32> {
    // Lane masks come from integer arithmetic, not `.replacing(with:where:)`: the generic SIMDMask
    // select ran ~20x slower here (16M halves: 238 ms vs 11 ms, -O, x86_64).
    let exponentField = half & 0x7C00
    let allOnes = SIMD8<UInt32>(repeating: 0) &- (((exponentField &+ 0x400) &>> 15) & 1)   // inf / NaN
    let allZero = SIMD8<UInt32>(repeating: 0) &- ((exponentField &- 1) &>> 31)             // zero / subnormal
    var bits = ((half & 0x7FFF) &<< 13) &+ f16ExponentRebase
    bits &+= allOnes & f16InfNaNExtra
    let renormalised = unsafeBitCast(bits &+ (1 << 23), to: SIMD8<Float>.self) - f16Subnormal2p14
    bits = (unsafeBitCast(renormalised, to: SIMD8<UInt32>.self) & allZero) | (bits & ~allZero)
    return bits | ((half & 0x8000) &<< 16)
}
