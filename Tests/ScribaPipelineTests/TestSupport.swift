import Foundation
import ScribaPipeline

/// `Tests/Fixtures`, found by walking up from this file.
func fixturesDirectory(file: String = #filePath) -> URL {
    var url = URL(fileURLWithPath: file).deletingLastPathComponent()
    while url.path != "/" {
        let candidate = url.appendingPathComponent("Fixtures")
        if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("formats").path) {
            return candidate
        }
        url = url.deletingLastPathComponent()
    }
    return URL(fileURLWithPath: "Tests/Fixtures")
}

func loadTranscriptFixture(_ name: String) throws -> Transcript {
    let data = try Data(contentsOf: fixturesDirectory().appendingPathComponent("formats/\(name)"))
    return try JSONDecoder().decode(Transcript.self, from: data)
}

/// Words of a space-separated text, cleaned of punctuation as an aligner returns them, each
/// `duration` long with `gap` between them, starting at `start`.
func alignedWords(_ text: String, start: Double, duration: Double = 0.3, gap: Double = 0.05) -> [TimedWord] {
    var t = start
    return text.split(separator: " ").map { token in
        let clean = String(token.filter { $0.isLetter || $0.isNumber })
        defer { t += duration + gap }
        return TimedWord(text: clean, start: t, end: t + duration)
    }
}

/// Deterministic RNG (SplitMix64) so property tests are reproducible.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
