import Foundation
import Testing
import ScribaTestSupport

/// `scriba live --engine qwen3` on a small random Qwen3-ASR checkpoint (its words are noise; the
/// stream's mechanics are real): raw s16le on stdin gives committed events as they are fixed, and the
/// final text holds exactly the committed words.
struct LiveQwen3CommandTests {
    static let model = TestLocations.fixtures.appendingPathComponent("qwen3-parity/small-untied-s015/model")

    /// The first `seconds` of the 40 s espeak clip as raw s16le, as ffmpeg writes it.
    static func rawPCM(seconds: Double) throws -> URL {
        let samples = try PCMSamples.float32(contentsOf: TestLocations.fixtures.appendingPathComponent("qwen3/audio/long_40s.f32"))
        let bytes = PCMSamples.s16le(Array(samples.prefix(Int(seconds * 16_000))))
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("live-qwen3-\(UUID().uuidString).s16le")
        try Data(bytes).write(to: url)
        return url
    }

    @Test func stdinPCMGivesCommittedEventsAndAFinalHoldingThem() async throws {
        let pcm = try Self.rawPCM(seconds: 12)
        defer { try? FileManager.default.removeItem(at: pcm) }
        let run = try await ScribaRun.run(["live", "-", "--engine", "qwen3", "--model", Self.model.path, "--language", "en",
                                           "--format", "jsonl"], stdin: pcm)
        #expect(run.status == 0, "\(run.stderr)")
        let events = run.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        let committed = events.filter { $0["type"] as? String == "committed" }
        #expect(committed.count >= 2, "\(run.stdout)")
        let final = try #require(events.last)
        #expect(final["type"] as? String == "final")
        let words = committed.flatMap { ($0["words"] as? [[String: Any]] ?? []).compactMap { $0["word"] as? String } }
        let finalWords = (final["text"] as? String ?? "").split(whereSeparator: \.isWhitespace).map(String.init)
        #expect(!words.isEmpty && words == finalWords)
        #expect((final["duration"] as? Double).map { abs($0 - 12) < 0.01 } == true)
    }
}
