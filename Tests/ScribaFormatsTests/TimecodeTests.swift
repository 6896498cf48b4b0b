import Testing
@testable import ScribaFormats

@Suite struct TimecodeTests {
    @Test func zero() {
        #expect(Timecode.clock(0) == "00:00:00,000")
        #expect(Timecode.clock(0, separator: ".") == "00:00:00.000")
        #expect(Timecode.decimalSeconds(0) == "0.000")
        #expect(Timecode.hms(0) == "00:00:00")
    }

    @Test func roundsUpIntoNextMinute() {
        // 59.9996 s = 59 999.6 ms → 60 000 ms → 1 minute exactly.
        #expect(Timecode.clock(59.9996) == "00:01:00,000")
        #expect(Timecode.clock(59.9994) == "00:00:59,999")
        #expect(Timecode.decimalSeconds(59.9996) == "60.000")
        #expect(Timecode.hms(59.9996) == "00:01:00")
        #expect(Timecode.hms(12.7) == "00:00:12")
    }

    @Test func pastTenHoursAndBeyondTwoDigitHours() {
        // 10 h 3 min 4.5 s = 36 184.5 s.
        #expect(Timecode.clock(36_184.5, separator: ".") == "10:03:04.500")
        #expect(Timecode.clock(360_000) == "100:00:00,000")
        #expect(Timecode.milliseconds(36_184.5) == 36_184_500)
        #expect(Timecode.decimalSeconds(36_184.5) == "36184.500")
    }

    @Test func invalidTimesClampToZero() {
        #expect(Timecode.clock(-3) == "00:00:00,000")
        #expect(Timecode.clock(.nan) == "00:00:00,000")
        #expect(Timecode.milliseconds(.infinity) == 0)
        #expect(Timecode.fraction(1.7) == "1.000")
        #expect(Timecode.fraction(0.87549) == "0.875")
    }
}
