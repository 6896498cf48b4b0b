import Foundation
import Testing
import ScribaAudio
import ScribaTestSupport

/// `scriba live` on Whisper base: raw PCM on stdin, a paced file stopped by Ctrl-C, bad flags.
@Suite(.serialized, .enabled(if: TestLocations.hasWhisperBase, Comment(rawValue: TestLocations.whisperBaseMissing)))
struct LiveCommandTests {
    static let clip = TestLocations.fixtures.appendingPathComponent("whisper/librivox-0870.wav")

    /// The clip as raw s16le, as `ffmpeg -f s16le -ar 16000 -ac 1 -` writes it.
    static func rawPCM() throws -> URL {
        let samples = try WAVReader.readMono(Data(contentsOf: clip), source: "librivox-0870.wav").samples
        let bytes = PCMSamples.s16le(samples)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("live-\(UUID().uuidString).s16le")
        try Data(bytes).write(to: url)
        return url
    }

    @Test func rawPCMOnStdinPrintsSRTCues() async throws {
        let pcm = try Self.rawPCM()
        defer { try? FileManager.default.removeItem(at: pcm) }
        let run = try await ScribaRun.run(["live", "-", "--format", "srt", "--language", "en", "--model", TestLocations.whisperBase.path],
                                          stdin: pcm)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.hasPrefix("1\n00:00:00,"))
        #expect(run.stdout.contains("Dashwood") && run.stdout.contains("them."))
        // Not a terminal: no partial line on stderr.
        #expect(!run.stderr.contains("\u{1B}7"))
    }

    @Test func ctrlCFinalisesWhatWasHeardAndWritesIt() async throws {
        // The clip four times with 1 s pauses (~32 s), played at real time.
        let clip = try WAVReader.readMono(Data(contentsOf: Self.clip), source: "librivox-0870.wav").samples
        let pause = [Float](repeating: 0, count: 16_000)
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("live-\(UUID().uuidString).wav")
        try WAVWriter.write(AudioBuffer(samples: Array([[Float]](repeating: clip + pause, count: 4).joined()), sampleRate: 16_000), to: input)
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("live-\(UUID().uuidString).json")
        defer {
            try? FileManager.default.removeItem(at: input)
            try? FileManager.default.removeItem(at: output)
        }
        // Interrupted at the first event (the first step, ≥ 1 s in): the rest is never heard, and
        // the final pass still commits what was.
        let run = try await ScribaRun.run(["live", input.path, "--language", "en", "-o", output.path,
                                           "--model", TestLocations.whisperBase.path, "--format", "jsonl"],
                                          interruptOnOutput: "\"type\"")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("stopping"))
        let lines = run.stdout.split(separator: "\n")
        #expect(lines.last?.contains("\"type\": \"final\"") == true, "\(run.stdout)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: output)) as? [String: Any])
        let text = try #require(json["text"] as? String)
        let duration = try #require(json["duration"] as? Double)
        #expect(text.hasPrefix("And Mr. John"), "\(text)")
        let heard = text.components(separatedBy: "Dashwood").count - 1
        #expect(heard >= 1 && heard < 4, "\(text)")
        #expect(duration < 30, "the whole file was read: \(duration) s")
    }

    @Test func otherEnginesAreRefusedWithTheFix() async throws {
        let run = try await ScribaRun.run(["live", Self.clip.path, "--engine", "remote"])
        #expect(run.status == 64 || run.status == 2)  // ArgumentParser's validation exit
        #expect(run.stderr.contains("--engine whisper or --engine qwen3"))
        let noPace = try await ScribaRun.run(["live", "-", "--no-pace"])
        #expect(noPace.status == 64 || noPace.status == 2)
        #expect(noPace.stderr.contains("--no-pace applies to a file"))
    }
}
