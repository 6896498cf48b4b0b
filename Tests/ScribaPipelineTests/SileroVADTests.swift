import Foundation
import Testing
import ScribaAudio
import ScribaModels
import ScribaPipeline
import ScribaTestSupport

// Scriba's native Silero VAD against the official silero-vad 6.2.3 package running its bundled ONNX
// model (Tests/Fixtures/silero/reference.json, scripts/fixtures/make_silero_fixtures.py): the same
// probability per 32 ms frame within 1e-4, and the same speech segments within one frame, on the
// LibriVox clips and on two minutes of music and noise beds without speech.

struct SileroVADTests {
    struct Reference: Decodable {
        struct Clip: Decodable {
            var audio: String
            var samples: Int
            var probabilities: [Float]
            var segments: [[Int]]
        }
        var clips: [String: Clip]
    }

    static let reference: Reference? = try? JSONDecoder().decode(
        Reference.self, from: Data(contentsOf: TestLocations.fixtures.appendingPathComponent("silero/reference.json")))
    static let clipNames = ["librivox-0870", "librivox-0880", "librivox-0890", "librivox-0920", "librivox-0930", "noise_music_120s"]
    static let detector = Result { try SileroVoiceDetector() }

    static func audio(_ clip: Reference.Clip) throws -> AudioBuffer {
        try AudioFile.load(TestLocations.fixtures.appendingPathComponent(clip.audio)).audio
    }

    @Test(arguments: clipNames)
    func probabilitiesEqualTheONNXModel(name: String) throws {
        let clip = try #require(Self.reference?.clips[name])
        let audio = try Self.audio(clip)
        #expect(audio.samples.count == clip.samples)
        let probabilities = try Self.detector.get().probabilities(audio)
        #expect(probabilities.count == clip.probabilities.count)
        let worst = zip(probabilities, clip.probabilities).map { abs($0 - $1) }.max() ?? .infinity
        print("silero \(name): \(probabilities.count) frames, max |Δp| vs ONNX = \(worst)")
        #expect(worst <= 1e-4, "\(name): max |Δp| = \(worst)")
    }

    @Test(arguments: clipNames)
    func segmentsEqualGetSpeechTimestamps(name: String) throws {
        let clip = try #require(Self.reference?.clips[name])
        let audio = try Self.audio(clip)
        let detector = try Self.detector.get()
        let ranges = SpeechSegments.from(probabilities: detector.probabilities(audio), sampleCount: audio.samples.count)
        #expect(ranges.count == clip.segments.count, "\(name): \(ranges) vs \(clip.segments)")
        for (range, expected) in zip(ranges, clip.segments) {
            #expect(abs(range.lowerBound - expected[0]) <= SileroVAD.frameSamples && abs(range.upperBound - expected[1]) <= SileroVAD.frameSamples,
                    "\(name): \(range) vs \(expected)")
        }
        if name == "noise_music_120s" { #expect(ranges.isEmpty, "music and noise without speech give no segments") }
    }

    /// The segment rules on hand-made probabilities: hysteresis, minimum silence and speech, padding.
    @Test func segmentRules() {
        // 10 frames of speech (0.9), 2 of 0.4 (between the thresholds: still speech), 5 of silence,
        // 3 of speech (too short: 96 ms < 250 ms), then silence.
        let p: [Float] = Array(repeating: 0.9, count: 10) + [0.4, 0.4] + Array(repeating: 0.1, count: 5)
            + Array(repeating: 0.9, count: 3) + Array(repeating: 0.1, count: 10)
        let ranges = SpeechSegments.from(probabilities: p, sampleCount: p.count * 512)
        // Speech from frame 0; the silence starts at frame 12 (12·512) and lasts ≥ 100 ms; pad 480.
        #expect(ranges == [0..<(12 * 512 + 480)])
    }
}
