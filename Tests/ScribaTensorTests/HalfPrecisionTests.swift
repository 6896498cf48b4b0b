import Testing
import ScribaTensor
import ScribaTestSupport

@Test func bfloat16RoundsToNearestEven() {
    // 1 + 2^-8 is exactly halfway between bf16 1.0 (0x3F80) and 1.0078125 (0x3F81): ties to even → 0x3F80.
    #expect(BFloat16(Float(bitPattern: 0x3F80_8000)).bitPattern == 0x3F80)
    // Halfway above an odd mantissa rounds up to the even one: 0x3F81_8000 → 0x3F82.
    #expect(BFloat16(Float(bitPattern: 0x3F81_8000)).bitPattern == 0x3F82)
    // Just above halfway rounds up, just below rounds down.
    #expect(BFloat16(Float(bitPattern: 0x3F80_8001)).bitPattern == 0x3F81)
    #expect(BFloat16(Float(bitPattern: 0x3F80_7FFF)).bitPattern == 0x3F80)
    // Float.greatestFiniteMagnitude (0x7F7FFFFF) is past bf16's largest finite value by more than half
    // an ulp, so it rounds to +inf, as torch does.
    #expect(BFloat16(Float.greatestFiniteMagnitude).bitPattern == 0x7F80)
    #expect(BFloat16(Float.infinity).bitPattern == 0x7F80)
    #expect(BFloat16(-Float.infinity).bitPattern == 0xFF80)
    #expect(BFloat16(-0.0 as Float).bitPattern == 0x8000)
    // A NaN whose payload sits only in the low 16 bits would truncate to inf; it must stay NaN.
    let lowPayloadNaN = Float(bitPattern: 0x7F80_0001)
    #expect(lowPayloadNaN.isNaN)
    #expect(BFloat16(lowPayloadNaN).floatValue.isNaN)
    #expect(BFloat16(-Float.nan).floatValue.isNaN)
    #expect(Float(BFloat16(bitPattern: 0x4049)) == 3.140625)
}

/// Independent reference: the nearer of the two neighbouring bf16 values, by exact double distance;
/// the even one on a tie.
private func referenceBFloat16(_ x: Float) -> UInt16 {
    let down = UInt16(x.bitPattern >> 16), up = down &+ 1
    let dDown = abs(Double(Float(bitPattern: UInt32(down) << 16)) - Double(x))
    let dUp = abs(Double(Float(bitPattern: UInt32(up) << 16)) - Double(x))
    if dDown != dUp { return dDown < dUp ? down : up }
    return down & 1 == 0 ? down : up
}

@Test func bulkBFloat16ConversionMatchesScalarAndReference() {
    // 1000 random finite floats of many magnitudes, plus specials; 1000 + 5 is not a multiple of 16.
    var generator = SplitMix64(seed: 121)
    var values = (0..<1000).map { _ in Float.random(in: -1...1, using: &generator) * Float(sign: .plus, exponent: Int.random(in: -100...100, using: &generator), significand: 1) }
    values += [.nan, .infinity, -.infinity, 0, Float(bitPattern: 0x3F80_8000)]
    var narrowed = [UInt16](repeating: 0, count: values.count)
    narrowed.withUnsafeMutableBufferPointer { BFloat16.convert(values, to: $0.baseAddress!, count: values.count) }
    for (x, b) in zip(values, narrowed) {
        #expect(b == BFloat16(x).bitPattern)
        if x.isFinite { #expect(b == referenceBFloat16(x)) }
    }
    var widened = [Float](repeating: 0, count: values.count)
    widened.withPointer { BFloat16.convert(narrowed, to: $0, count: narrowed.count) }
    for (b, w) in zip(narrowed, widened) { #expect(w.bitPattern == UInt32(b) << 16) }
}

@Test func halfFloatWideningIsExactForAllBitPatterns() {
    let all = (0...UInt16.max).map { $0 }
    var widened = [Float](repeating: 0, count: all.count)
    widened.withPointer { HalfFloat.convert(all, to: $0, count: all.count) }
    var mismatches = 0
    for (h, f) in zip(all, widened) {
        let expected = Float(Float16(bitPattern: h))
        if expected.isNaN ? !f.isNaN : f.bitPattern != expected.bitPattern { mismatches += 1 }
    }
    #expect(mismatches == 0)
    // Spot values: 0x3C00 = 1, 0x0001 = 2^-24 (smallest subnormal), 0x7BFF = 65504, 0xFC00 = -inf.
    #expect(widened[0x3C00] == 1 && widened[0x0001] == 0x1p-24 && widened[0x7BFF] == 65504 && widened[0xFC00] == -.infinity)
    // Tail path (count 5, below one vector) agrees with the vector path.
    var tail = [Float](repeating: 0, count: 5)
    tail.withPointer { HalfFloat.convert([0x3C00, 0x0001, 0x8400, 0x7E00, 0x3555], to: $0, count: 5) }
    #expect(tail[0] == 1 && tail[1] == 0x1p-24 && tail[2] == -0x1p-14 && tail[3].isNaN && tail[4] == widened[0x3555])
}

@Test func halfFloatNarrowingRoundsToNearestEven() {
    // 1 + 2^-11 is halfway between 1 and 1 + 2^-10 → 1 (even); 1 + 3·2^-11 → 1 + 2^-9 (even).
    let values: [Float] = [1 + 0x1p-11, 1 + 3 * 0x1p-11, 65520, .nan]
    var narrowed = [UInt16](repeating: 0, count: 4)
    narrowed.withUnsafeMutableBufferPointer { HalfFloat.convert(values, to: $0.baseAddress!, count: 4) }
    #expect(narrowed[0] == 0x3C00 && narrowed[1] == 0x3C02)
    #expect(narrowed[2] == 0x7C00)  // 65520 is halfway to the next binade step past 65504 → inf
    #expect(Float(Float16(bitPattern: narrowed[3])).isNaN)
}
