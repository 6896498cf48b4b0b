import Foundation
import Testing
import ScribaAudio
@testable import ScribaPipeline

// Aligner safety on long spans: windows, plateau detection, re-alignment on a
// narrower window, interpolation with the `interpolated` flag, and the output guarantees.

/// Records every call's audio duration and unit count, then answers with `answer` (or the wrapped
/// real aligner).
final class RecordingAligner: UnitAligner, @unchecked Sendable {
    let modelName = "recording"
    let maxChunkDuration: Double
    private let lock = NSLock()
    private var recorded: [(duration: Double, units: Int)] = []
    private let answer: @Sendable (AudioBuffer, [String]) async throws -> [TimedWord]

    init(maxChunkDuration: Double = 180, answer: @escaping @Sendable (AudioBuffer, [String]) async throws -> [TimedWord]) {
        self.maxChunkDuration = maxChunkDuration
        self.answer = answer
    }

    var calls: [(duration: Double, units: Int)] {
        lock.lock()
        defer { lock.unlock() }
        return recorded
    }

    private func record(_ duration: Double, _ units: Int) {
        lock.lock()
        defer { lock.unlock() }
        recorded.append((duration, units))
    }

    func units(of text: String, language: Language) throws -> [String] { text.split(separator: " ").map(String.init) }

    func align(_ audio: AudioBuffer, units: [String]) async throws -> [TimedWord] {
        record(audio.duration, units.count)
        return try await answer(audio, units)
    }
}

struct WindowedAlignerTests {
    typealias F = Qwen3PipelineFixtures

    /// Alternating 1 s of noise ("speech") and 0.5 s of silence, `seconds` long, 16 kHz.
    static func bursts(seconds: Double) -> AudioBuffer {
        var generator = SystemRandomNumberGenerator()
        let total = Int(seconds * 16_000)
        let samples = (0..<total).map { i -> Float in
            (i % 24_000) < 16_000 ? Float.random(in: -0.3...0.3, using: &generator) : 0
        }
        return AudioBuffer(samples: samples, sampleRate: 16_000)
    }

    static func checkGuarantees(_ words: [TimedWord], duration: Double) {
        for (index, word) in words.enumerated() {
            #expect(0 <= word.start && word.start <= word.end && word.end <= duration, "\(word)")
            if index > 0 { #expect(words[index - 1].start <= word.start) }
        }
    }

    /// 160 s of real speech through the tiny aligner checkpoint: every call gets ≤ 60 s, the first
    /// pass covers the audio in 3+ windows, and every unit comes back once, in order, in range.
    @Test func longInputStaysInsideWindows() async throws {
        let clip = try F.audio("long_40s")
        let audio = AudioBuffer(samples: Array([[Float]](repeating: clip.samples, count: 4).joined()), sampleRate: 16_000)
        #expect(audio.duration == 160)
        let qwen = try Qwen3Aligner(folder: F.url("aligner-tiny-bf16"))
        let recorder = RecordingAligner { audio, units in try await qwen.align(audio, units: units) }
        let aligner = WindowedAligner(base: recorder)
        let units = (1...320).map { "word\($0)" }
        let words = try await aligner.align(audio, units: units)

        let calls = recorder.calls
        #expect(calls.allSatisfy { $0.duration <= 60 }, "\(calls.map(\.duration))")
        #expect(calls.count >= 3)
        #expect(calls.filter { $0.duration > 30 }.count >= 3, "\(calls.map(\.duration))")
        #expect(calls.map(\.units).max() ?? 0 < 320)
        #expect(words.map(\.text) == units)
        Self.checkGuarantees(words, duration: audio.duration)
    }

    /// An aligner that gives every word the same time: the detector fires, the stretch is re-tried
    /// on halves (narrower windows), and the words end up interpolated over the audio and flagged.
    @Test func constantTimesAreDetectedAndInterpolated() async throws {
        let audio = Self.bursts(seconds: 20)
        let recorder = RecordingAligner { _, units in units.map { TimedWord(text: $0, start: 1.0, end: 1.0) } }
        let words = try await WindowedAligner(base: recorder).align(audio, units: (1...24).map { "w\($0)" })
        let calls = recorder.calls
        #expect(calls.count > 1)
        #expect(calls.first?.duration == 20)
        #expect(calls.dropFirst().allSatisfy { $0.duration < 20 })
        #expect(words.count == 24 && words.allSatisfy(\.interpolated))
        #expect(words.first?.start ?? -1 >= 0 && words.last?.end ?? 0 <= 20)
        // Spread out: strictly increasing starts, the last word near the end.
        #expect(zip(words, words.dropFirst()).allSatisfy { $0.start < $1.start })
        #expect(words.last?.end ?? 0 > 15)
        Self.checkGuarantees(words, duration: 20)
    }

    /// Times that stop advancing: the first six words are spread over 0–11.5 s, the rest stuck at
    /// 12 s though 18 s of audio follow. Only that stretch is aligned again, on the narrower window
    /// from the sixth word's end to the end, where the aligner spreads them: nothing interpolated.
    @Test func stalledTailIsRealignedOnANarrowerWindow() async throws {
        let audio = Self.bursts(seconds: 30)
        let recorder = RecordingAligner { audio, units in
            if audio.duration > 29 {
                return units.indices.map { i in
                    i < 6 ? TimedWord(text: units[i], start: Double(i) * 2, end: Double(i) * 2 + 1.5)
                          : TimedWord(text: units[i], start: 12, end: 12)
                }
            }
            let step = audio.duration / Double(units.count)
            return units.indices.map { TimedWord(text: units[$0], start: Double($0) * step, end: Double($0 + 1) * step) }
        }
        let words = try await WindowedAligner(base: recorder).align(audio, units: (1...10).map { "w\($0)" })
        let calls = recorder.calls
        #expect(calls.count == 2)
        #expect(calls.count == 2 && calls[1].duration == 30 - 11.5 && calls[1].units == 4)
        #expect(words.filter(\.interpolated).isEmpty)
        #expect(words[5].start == 10)
        #expect(words[6].start == 11.5)
        #expect(abs(words[9].end - 30) < 0.001)
        Self.checkGuarantees(words, duration: 30)
    }

    @Test func plateauDetectorRules() {
        let detector = PlateauDetector()
        func words(_ starts: [Double]) -> [TimedWord] { starts.map { TimedWord(text: "w", start: $0, end: $0) } }
        // Four equal starts in the middle: a plateau; three: repair copies, not a plateau.
        #expect(detector.plateaus(in: words([0, 1, 1, 1, 1, 2]), stretchEnd: 3) == [1..<5])
        #expect(detector.plateaus(in: words([0, 1, 1, 1, 2]), stretchEnd: 3).isEmpty)
        // Three equal at the end with 5 s of audio left: stalled; with 1 s left: fine.
        #expect(detector.plateaus(in: words([0, 0.5, 1, 1, 1]), stretchEnd: 6) == [2..<5])
        #expect(detector.plateaus(in: words([0, 0.5, 1, 1, 1]), stretchEnd: 2).isEmpty)
        // All zeros.
        #expect(detector.plateaus(in: words([0, 0, 0, 0, 0, 0]), stretchEnd: 1) == [0..<6])
        #expect(detector.plateaus(in: [], stretchEnd: 1).isEmpty)
    }

    /// Units are shared out by speech: a window of silence gets none.
    @Test func unitsFollowSpeech() {
        let speech = Self.bursts(seconds: 6)
        let silence = [Float](repeating: 0, count: 6 * 16_000)
        let audio = AudioBuffer(samples: speech.samples + silence + speech.samples, sampleRate: 16_000)
        let aligner = WindowedAligner(base: RecordingAligner { _, _ in [] })
        let shares = aligner.shares(of: 10, over: [0..<96_000, 96_000..<192_000, 192_000..<288_000], in: audio)
        #expect(shares == [0..<5, 5..<5, 5..<10])
    }

    /// `interpolated` is in the JSON only when true, and reads back.
    @Test func interpolatedFlagCodable() throws {
        let plain = try String(decoding: JSONEncoder().encode(TimedWord(text: "a", start: 0, end: 1)), as: UTF8.self)
        #expect(!plain.contains("interpolated"))
        let flagged = TimedWord(text: "a", start: 0, end: 1, interpolated: true)
        let data = try JSONEncoder().encode(flagged)
        #expect(String(decoding: data, as: UTF8.self).contains("\"interpolated\":true"))
        #expect(try JSONDecoder().decode(TimedWord.self, from: data) == flagged)
        #expect(try JSONDecoder().decode(TimedWord.self, from: Data(plain.utf8)).interpolated == false)
    }
}
