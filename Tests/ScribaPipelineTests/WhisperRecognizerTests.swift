import Foundation
import Testing
import ScribaAudio
import ScribaModels
import ScribaTensor
@testable import ScribaPipeline
import ScribaTestSupport

/// Fixture folder and weights for the Whisper adapter tests (see Tests/Fixtures/README.md).
enum WhisperPipelineFixtures {
    static let folder = TestLocations.fixtures.appendingPathComponent("whisper")

    static var weights: URL { TestLocations.whisperBase }
    static var weightsInstalled: Bool { TestLocations.hasWhisperBase }

    static func clip() throws -> AudioBuffer {
        let data = try Data(contentsOf: folder.appendingPathComponent("librivox-0870.wav"))
        return AudioBuffer(samples: try WAVReader.readMono(data, source: "librivox-0870.wav").samples, sampleRate: 16_000)
    }
}

struct WhisperRecognizerTests {
    /// 113 600 samples + 160 padding → 711 frames, equal to faster-whisper's features.
    @Test func logMelEqualsFasterWhisperFeatures() throws {
        let clip = try WhisperPipelineFixtures.clip()
        #expect(clip.samples.count == 113_600)
        let mel = WhisperRecognizer.logMel(samples: clip.samples, melBins: 80)
        #expect(mel.shape == [80, 711])
        let data = try Data(contentsOf: WhisperPipelineFixtures.folder.appendingPathComponent("librivox-0870.mel.f32"))
        #expect(data.count == 80 * 711 * 4)
        var maxDelta: Float = 0
        data.withUnsafeBytes { raw in
            for i in 0..<(80 * 711) {
                let reference = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)))
                maxDelta = max(maxDelta, abs(reference - mel.data[i]))
            }
        }
        print("whisper log-mel vs faster-whisper: max |Δ| = \(maxDelta)")
        #expect(maxDelta <= 1e-4, "max |Δ| = \(maxDelta)")
    }

    @Test(.enabled(if: WhisperPipelineFixtures.weightsInstalled, Comment(rawValue: TestLocations.whisperBaseMissing)))
    func transcribesTheClipLikeFasterWhisper() throws {
        let recognizer = try WhisperRecognizer(folder: WhisperPipelineFixtures.weights)
        var options = WhisperOptions(language: "en", withoutTimestamps: false, wordTimestamps: true)
        options.temperatures = [0]
        let clock = ContinuousClock()
        var result: WhisperRecognition?
        let elapsed = try clock.measure { result = try recognizer.transcribe(try WhisperPipelineFixtures.clip(), options: options) }
        print("whisper-base transcribe of the 7.1 s clip (debug build unless -c release): \(elapsed)")
        let recognition = try #require(result)
        #expect(recognition.language == "en")
        #expect(recognition.text == " And Mr. John Dashwood had then leisure to consider how much there might be prudently in his power to do for them.")
        #expect(recognition.segments.count == 1)
        #expect(recognition.segments.first?.start == 0 && recognition.segments.first?.end == 6.78)
        let words = recognition.segments.first?.words ?? []
        #expect(words.count == 22)
        #expect(words.first?.word == " And" && words.last?.word == " them.")
        // Reference: " And" 0.00–0.34 s, " them." 6.58–6.78 s; ±0.02 s (one DTW frame).
        #expect(abs((words.first?.end ?? 0) - 0.34) <= 0.02 && abs((words.last?.start ?? 0) - 6.58) <= 0.02)
        #expect(abs(recognition.duration - 7.10) < 1e-9)
    }
}
