import Foundation
import Testing
import ScribaTestSupport

// `scriba diarize` as a user runs it: flag checks (no models needed), then a real file when the
// diarization weights are installed.

struct DiarizeCommandTests {
    @Test func badSpeakerFlagsExitWithAUsageMessage() async throws {
        let zero = try await ScribaRun.run(["diarize", "x.wav", "--speakers", "0"])
        #expect(zero.status != 0 && zero.stderr.contains("--speakers must be at least 1"))
        let both = try await ScribaRun.run(["diarize", "x.wav", "--speakers", "2", "--max-speakers", "3"])
        #expect(both.status != 0 && both.stderr.contains("not both"))
        let bounds = try await ScribaRun.run(["diarize", "x.wav", "--min-speakers", "4", "--max-speakers", "2"])
        #expect(bounds.status != 0 && bounds.stderr.contains("above --max-speakers"))
        let format = try await ScribaRun.run(["diarize", "x.wav", "--format", "srt"])
        #expect(format.status != 0 && format.stderr.contains("use rttm or json"))
    }

    @Test func aMissingFileIsNamed() async throws {
        let run = try await ScribaRun.run(["diarize", "/nonexistent/talk.wav"])
        #expect(run.status != 0)
        #expect(run.stderr.contains("/nonexistent/talk.wav"))
    }

    @Test(.enabled(if: TestLocations.hasDiarizationModels, Comment(rawValue: TestLocations.diarizationModelsMissing)))
    func oneReaderIsOneSpeakerInRTTMAndJSON() async throws {
        let clip = TestLocations.fixtures.appendingPathComponent("whisper/librivox-0870.wav").path
        let rttm = try await ScribaRun.run(["diarize", clip])
        #expect(rttm.status == 0, "\(rttm.stderr)")
        let lines = rttm.stdout.split(separator: "\n")
        #expect(!lines.isEmpty && lines.allSatisfy { $0.hasPrefix("SPEAKER librivox-0870 1 ") && $0.contains(" SPEAKER_1 ") })
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("diarize-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        let json = try await ScribaRun.run(["diarize", clip, "--format", "json", "-o", file.path])
        #expect(json.status == 0 && json.stdout.isEmpty)
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any]
        let speakers = object?["speakers"] as? [[String: Any]]
        #expect(speakers?.count == 1)
        #expect(((speakers?.first?["seconds"] as? Double) ?? 0) > 5)
    }
}
