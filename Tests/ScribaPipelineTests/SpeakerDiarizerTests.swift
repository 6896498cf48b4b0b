import Foundation
import Testing
import ScribaAudio
import ScribaPipeline
import ScribaTestSupport
import ScribaTranscript

// The whole diarization pipeline on real speech of two people: LibriVox 0870 (7.1 s), 0.5 s of silence,
// the MFA Japanese clip (7.1 s), 0.5 s, LibriVox 0890 (5.3 s). Expected: two speakers, the reader first,
// each turn where its clip is (boundaries within 0.5 s).

@Suite(.enabled(if: TestLocations.hasDiarizationModels, Comment(rawValue: TestLocations.diarizationModelsMissing)))
struct SpeakerDiarizerTests {
    static func clip(_ path: String) throws -> [Float] {
        try AudioFile.load(TestLocations.fixtures.appendingPathComponent(path)).audio.samples
    }

    @Test func twoRealSpeakersAreToldApart() throws {
        let gap = [Float](repeating: 0, count: 8_000)
        let reader1 = try Self.clip("whisper/librivox-0870.wav"), japanese = try Self.clip("diarization/mfa-japanese_slow.wav")
        let reader2 = try Self.clip("whisper/librivox-0890.wav")
        let samples = reader1 + gap + japanese + gap + reader2
        let secondStart = Double(reader1.count + gap.count) / 16_000, secondEnd = secondStart + Double(japanese.count) / 16_000
        let thirdStart = secondEnd + 0.5
        let diarizer = try SpeakerDiarizer(modelsFolder: TestLocations.modelsFolder)
        let turns = try diarizer.diarize(AudioBuffer(samples: samples, sampleRate: 16_000))
        print("diarization: \(turns.map { "\($0.speaker) \(String(format: "%.2f-%.2f", $0.start, $0.end))" })")
        #expect(Set(turns.map(\.speaker)) == [0, 1])
        // Talk time per speaker around each clip.
        func talk(_ speaker: Int, _ range: ClosedRange<Double>) -> Double {
            turns.filter { $0.speaker == speaker }.reduce(0) { $0 + max(0, min($1.end, range.upperBound) - max($1.start, range.lowerBound)) }
        }
        #expect(talk(0, 0...(secondStart - 0.5)) > 5, "the reader speaks first")
        #expect(talk(1, (secondStart + 0.5)...(secondEnd - 0.5)) > 5, "then the Japanese speaker")
        #expect(talk(0, (thirdStart + 0.5)...(Double(samples.count) / 16_000)) > 3.5, "then the reader again")
        #expect(talk(1, 0...(secondStart - 0.5)) + talk(1, (thirdStart + 0.5)...100) < 0.5)
        #expect(talk(0, (secondStart + 0.5)...(secondEnd - 0.5)) < 0.5)
        // Asked for one speaker, everything is one speaker.
        let one = try diarizer.diarize(AudioBuffer(samples: samples, sampleRate: 16_000), options: DiarizationOptions(speakers: SpeakerCount(exactly: 1)))
        #expect(Set(one.map(\.speaker)) == [0])
    }

    @Test func otherSampleRatesAndMissingModelsAreRefusedWithTheFix() throws {
        let diarizer = try SpeakerDiarizer(modelsFolder: TestLocations.modelsFolder)
        #expect(throws: PipelineError.diarizationSampleRate(8_000)) {
            try diarizer.diarize(AudioBuffer(samples: [0, 0], sampleRate: 8_000))
        }
        do {
            _ = try SpeakerDiarizer(modelsFolder: URL(fileURLWithPath: "/nonexistent"))
            Issue.record("loaded models from a missing folder")
        } catch {
            #expect("\(error)".contains("scripts/fetch-diarization-models"))
        }
    }

    @Test func silenceHasNoSpeakers() throws {
        let diarizer = try SpeakerDiarizer(modelsFolder: TestLocations.modelsFolder)
        #expect(try diarizer.diarize(AudioBuffer(samples: [Float](repeating: 0, count: 48_000), sampleRate: 16_000)).isEmpty)
    }
}
