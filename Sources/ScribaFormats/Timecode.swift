// Every timestamp a writer prints goes through here. Times are rounded to whole milliseconds once,
// then split with integer arithmetic, so 59.9996 s prints as 00:01:00.000 (never 00:00:60.000)
// and no locale-dependent formatter is involved.

public enum Timecode {
    /// Whole milliseconds, rounded half away from zero; negative, NaN and infinite times give 0.
    public static func milliseconds(_ seconds: Double) -> Int {
        guard seconds.isFinite, seconds > 0 else { return 0 }
        // Past ~292 million years Int overflows; no audio is that long.
        return Int(min(seconds * 1000, 9.0e15).rounded(.toNearestOrAwayFromZero))
    }

    /// `HH:MM:SS<separator>mmm`: "," for SRT, "." for WebVTT and the simple form. Hours have at
    /// least two digits and grow past 99.
    public static func clock(_ seconds: Double, separator: Character = ",") -> String {
        let total = milliseconds(seconds)
        let ms = total % 1000
        let s = (total / 1000) % 60
        let m = (total / 60_000) % 60
        let h = total / 3_600_000
        return pad(h, 2) + ":" + pad(m, 2) + ":" + pad(s, 2) + String(separator) + pad(ms, 3)
    }

    /// `HH:MM:SS` for human-facing summaries: milliseconds rounded first, then truncated to the
    /// second, so 59.9996 s shows 00:01:00 and 12.7 s shows 00:00:12.
    public static func hms(_ seconds: Double) -> String {
        let total = milliseconds(seconds) / 1000
        return pad(total / 3600, 2) + ":" + pad((total / 60) % 60, 2) + ":" + pad(total % 60, 2)
    }

    /// Seconds with exactly three decimals: "0.000", "59.999", "36000.5" → "36000.500".
    public static func decimalSeconds(_ seconds: Double) -> String {
        let total = milliseconds(seconds)
        return String(total / 1000) + "." + pad(total % 1000, 3)
    }

    /// A 0...1 value (confidence) with three decimals, clamped; same integer rounding.
    public static func fraction(_ value: Double) -> String {
        let clamped = value.isFinite ? min(1, max(0, value)) : 0
        return decimalSeconds(clamped)
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
