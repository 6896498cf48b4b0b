import Foundation
import Hummingbird
import Synchronization
import Testing
import ScribaAudio
import ScribaTestSupport

// Runs the built `scriba` binary (what a user runs) against a fake Scriba ASR/aligner service in
// this process, so the commands are tested end to end without model weights.

typealias RunResult = ScribaRun

/// Runs the built scriba (beside this test runner, or $SCRIBA_BINARY) with `arguments`. These tests
/// feed tones to fake services; Silero, the CLI's default detector, rightly hears no speech in a tone,
/// so the commands that transcribe listen with the energy detector here (unless the test chose).
func runScriba(_ arguments: [String]) async throws -> RunResult {
    let transcribes = ["subtitles", "transcribe", "minutes"].contains(arguments.first ?? "") && !arguments.contains("--vad")
    return try await ScribaRun.run(arguments + (transcribes ? ["--vad", "energy"] : []))
}

/// Serves `router` on a free loopback port while `body` runs with its base URL.
func serve(_ router: Router<BasicRequestContext>, _ body: @Sendable (String) async throws -> Void) async throws {
    let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
    let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                          onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) })
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await app.runService(gracefulShutdownSignals: []) }
        var iterator = ports.makeAsyncIterator()
        let port = await iterator.next() ?? 0
        try await body("http://127.0.0.1:\(port)")
        group.cancelAll()
    }
}

/// A fake ASR + aligner service: every upload "says" two words, hello (0.1–0.4 s) and world
/// (0.5–0.9 s); counts uploads per route.
final class FakeService: Sendable {
    let transcribeCalls = Mutex(0)
    let alignCalls = Mutex(0)

    func run(_ body: @Sendable (String) async throws -> Void) async throws {
        let router = Router()
        router.post("transcribe") { request, _ -> Response in
            _ = try await request.body.collect(upTo: 50 << 20)
            self.transcribeCalls.withLock { $0 += 1 }
            return Self.json(#"{"text":"Hello world.","language":"en","duration":1.0,"words":[{"word":"Hello","start":0.1,"end":0.4},{"word":"world","start":0.5,"end":0.9}]}"#)
        }
        router.post("align") { request, _ -> Response in
            _ = try await request.body.collect(upTo: 50 << 20)
            self.alignCalls.withLock { $0 += 1 }
            return Self.json(#"{"words":[{"word":"Hello","start":0.2,"end":0.45},{"word":"world","start":0.6,"end":0.95}],"sentences":[],"duration":1.0}"#)
        }
        try await serve(router, body)
    }

    static func json(_ text: String) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

struct SubtitlesCommandTests {
    /// A folder with good.wav, also.wav (1 s tones) and corrupt.wav (not audio).
    func makeFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cli-\(UUID().uuidString)")
        let inputs = folder.appendingPathComponent("in")
        try FileManager.default.createDirectory(at: inputs, withIntermediateDirectories: true)
        let tone = AudioBuffer(samples: (0..<16_000).map { sinf(Float($0) * 0.06) * 0.4 }, sampleRate: 16_000)
        try WAVWriter.write(tone, to: inputs.appendingPathComponent("good.wav"))
        try WAVWriter.write(tone, to: inputs.appendingPathComponent("also.wav"))
        try Data("RIFF\u{0}\u{0}\u{0}\u{0}WAVEjunk".utf8).write(to: inputs.appendingPathComponent("corrupt.wav"))
        return folder
    }

    @Test func aFolderWithACorruptFileFinishesTheOthersAndResumes() async throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let service = FakeService()
        let out = folder.appendingPathComponent("subs")
        try await service.run { url in
            let args = ["subtitles", folder.appendingPathComponent("in").path, "-o", out.path,
                        "--format", "srt,json", "--engine", "remote", "--asr-url", url, "--retries", "0"]
            let first = try await runScriba(args)
            #expect(first.status == 1, "stderr: \(first.stderr)")
            // The plan is the batch's first line (a remote service's speed is not known here).
            #expect(first.stderr.hasPrefix("plan: 3 files, 0:02.0 of audio, --jobs 1: wall time unknown"), "stderr: \(first.stderr)")
            #expect(first.stderr.contains("failed corrupt.wav"))
            #expect(first.stderr.contains("1 of 3 inputs failed"))
            let srt = try String(contentsOf: out.appendingPathComponent("good.srt"), encoding: .utf8)
            // The ASR service's words (0.1–0.9 s) shaped into one cue: 0.1 s + minimum 0.833 s on screen.
            #expect(srt == "1\n00:00:00,100 --> 00:00:00,933\nHello world.\n\n")
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("also.json").path))
            #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("corrupt.srt").path))
            let report = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("processing_report.json"))) as? [String: Any]
            #expect(report?["failed"] as? Int == 1 && report?["succeeded"] as? Int == 2)
            #expect(service.transcribeCalls.withLock { $0 } == 2)

            let second = try await runScriba(args)
            #expect(second.status == 1)
            #expect(second.stderr.contains("skipped good.wav") && second.stderr.contains("skipped also.wav"))
            #expect(second.stderr.contains("failed corrupt.wav"))
            #expect(service.transcribeCalls.withLock { $0 } == 2)

            // Another voice detector is another transcript: the finished files are redone (Silero
            // hears no speech in these tones, so nothing reaches the service this time).
            let third = try await runScriba(args + ["--vad", "silero"])
            #expect(!third.stderr.contains("skipped good.wav") && third.stderr.contains("good.wav"), "stderr: \(third.stderr)")
            #expect(service.transcribeCalls.withLock { $0 } == 2)
        }
    }

    @Test func resultFormatWritesTheOriginalPerFileRecordForSuccessesAndFailures() async throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("subs")
        try await FakeService().run { url in
            let args = ["subtitles", folder.appendingPathComponent("in").path, "-o", out.path, "--format", "srt,result",
                        "--engine", "remote", "--asr-url", url, "--retries", "0"]
            let first = try await runScriba(args)
            #expect(first.status == 1, "stderr: \(first.stderr)")
            func result(_ stem: String) throws -> [String: Any] {
                try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("\(stem)_result.json"))) as? [String: Any])
            }
            let good = try result("good")
            #expect(good["file"] as? String == "good.wav" && (good["duration"] as? NSNumber)?.doubleValue == 1)
            #expect(good["language"] as? String == "English" && good["language_code"] as? String == "en")
            #expect(good["transcription"] as? String == "Hello world.")
            #expect(good["success"] as? Bool == true && good["attempts"] as? Int == 1 && good["error"] is NSNull)
            let words = ((good["alignment"] as? [String: Any])?["words"] as? [[String: Any]])?.map { $0["word"] as? String }
            #expect(words == ["Hello", "world"])
            // `formatted` holds exactly what the SRT file got.
            let srt = try String(contentsOf: out.appendingPathComponent("good.srt"), encoding: .utf8)
            #expect((good["formatted"] as? [String: Any])?["srt"] as? String == srt)

            let corrupt = try result("corrupt")
            #expect(corrupt["success"] as? Bool == false && corrupt["transcription"] is NSNull && corrupt["alignment"] is NSNull)
            #expect((corrupt["error"] as? String)?.contains("corrupt.wav") == true && corrupt["attempts"] as? Int == 1)

            // A second run retries only the failure, and counts it.
            #expect(try await runScriba(args).status == 1)
            #expect(try result("corrupt")["attempts"] as? Int == 2)
            #expect(try result("good")["attempts"] as? Int == 1)
        }
    }

    @Test func minutesCarryParticipantsTheIntervalAndTheOriginalsMeetingInfo() async throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let notes = folder.appendingPathComponent("notes")
        try await FakeService().run { url in
            let run = try await runScriba(["minutes", folder.appendingPathComponent("in/good.wav").path, "-o", notes.path,
                                           "--participants", "Anna, Tom", "--interval", "0.4", "--engine", "remote", "--asr-url", url])
            #expect(run.status == 0, "stderr: \(run.stderr)")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: notes.appendingPathComponent("good.minutes.json"))) as? [String: Any])
            let info = try #require(json["meeting_info"] as? [String: Any])
            #expect((info["duration"] as? NSNumber)?.doubleValue == 1 && info["language"] as? String == "en")
            #expect(info["total_sentences"] as? Int == 1)
            #expect(json["participants"] as? [String] == ["Anna", "Tom"])
            #expect(json["transcription"] as? String == "Hello world.")
            // 1 s in 0.4 s entries: 0–0.4, 0.4–0.8, 0.8–1.0.
            #expect((json["timeline"] as? [[String: Any]])?.count == 3)
            let markdown = try String(contentsOf: notes.appendingPathComponent("good.minutes.md"), encoding: .utf8)
            #expect(markdown.contains("- Participants: Anna, Tom"))
        }
        let bad = try await runScriba(["minutes", "x.wav", "--interval", "0"])
        #expect(bad.status == 64 || bad.status == 2)
        #expect(bad.stderr.contains("--interval must be above 0 seconds"))
    }

    /// (Its speed is tested in process, `BatchPlanTests`: here the process start alone can take seconds
    /// while the other suites run.)
    @Test func dryRunPrintsThePlanForAHundredFilesAndLoadsNothing() async throws {
        let (folder, input) = try toneInput()
        defer { try? FileManager.default.removeItem(at: folder) }
        let inputs = folder.appendingPathComponent("many")
        try FileManager.default.createDirectory(at: inputs, withIntermediateDirectories: true)
        for index in 0..<100 { try FileManager.default.copyItem(at: input, to: inputs.appendingPathComponent("clip\(index).wav")) }
        let out = folder.appendingPathComponent("subs")
        // The model folder does not exist: loading it would fail.
        let run = try await runScriba(["subtitles", inputs.path, "-o", out.path, "--dry-run", "--engine", "whisper",
                                       "--model", "/nonexistent/whisper-base", "--jobs", "2"])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let lines = run.stdout.split(separator: "\n")
        #expect(lines.count == 101 && lines.first?.hasPrefix("  0:01.0  \(inputs.path)/clip0.wav") == true)
        // 100 s at Whisper base's RTF 0.216 (int8, its default, whole pipeline) + 0.4 s load = 22.0 s;
        // 110 MB + 2 × 240 MB.
        #expect(lines.last?.hasPrefix("plan: 100 files, 1:40.0 of audio, --jobs 2: about 0:22.0 wall (RTF 0.22 + 0.4 s load), peak memory about 0.6 GB") == true,
                "\(lines.last ?? "")")
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    @Test func transcribeJSONPrintsOneObjectPerFile() async throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try await FakeService().run { url in
            let result = try await runScriba(["transcribe", "--json", folder.appendingPathComponent("in/good.wav").path, "--engine", "remote", "--asr-url", url])
            #expect(result.status == 0, "stderr: \(result.stderr)")
            let path = folder.appendingPathComponent("in/good.wav").standardizedFileURL.path
            #expect(result.stdout == #"{"file": "\#(path)", "language": "en", "language_name": "English", "duration": 1.000, "text": "Hello world.", "complete": true}"# + "\n")
        }
    }

    @Test func alignPrintsWordsFromTheAlignerService() async throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let service = FakeService()
        try await service.run { url in
            let result = try await runScriba(["align", folder.appendingPathComponent("in/good.wav").path, "--text", "Hello world.",
                                              "--language", "en", "--format", "words", "--engine", "remote", "--align-url", url])
            #expect(result.status == 0, "stderr: \(result.stderr)")
            #expect(result.stdout == "Hello(0.200-0.450) world.(0.600-0.950)\n")
            #expect(service.alignCalls.withLock { $0 } == 1)
            #expect(service.transcribeCalls.withLock { $0 } == 0)
        }
    }

    @Test func badFlagsExitWithAUsageMessage() async throws {
        let language = try await runScriba(["subtitles", "x.wav", "--language", "klingon"])
        #expect(language.status == 64 || language.status == 2)
        #expect(language.stderr.contains("unknown language 'klingon'"))
        let format = try await runScriba(["subtitles", "x.wav", "--format", "srt,docx"])
        #expect(format.stderr.contains("unknown output format 'docx'"))
        let noText = try await runScriba(["align", "x.wav", "--language", "en"])
        #expect(noText.stderr.contains("exactly one of --text or --text-file"))
    }

    /// The only endpoint cannot be reached: the batch stops as "every endpoint down" (exit 5) with
    /// the reason, and its report is written so a rerun resumes.
    @Test func unreachableServiceFailsTheFileWithAReason() async throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try await runScriba(["subtitles", folder.appendingPathComponent("in/good.wav").path,
                                          "-o", folder.appendingPathComponent("o").path, "--engine", "remote", "--asr-url", "http://127.0.0.1:9", "--retries", "1"])
        #expect(result.status == 5)
        #expect(result.stderr.contains("could not reach http://127.0.0.1:9/transcribe"))
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("o/processing_report.json").path))
    }
}

/// `scriba align --engine whisper`: no forced aligner, so Whisper's own word times are carried over
/// to the given text, as the server's `/align` does with the same engine.
@Suite(.enabled(if: TestLocations.hasWhisperBase, Comment(rawValue: TestLocations.whisperBaseMissing)))
struct AlignWithWhisperTests {
    @Test func everyGivenWordGetsATimeInsideTheClipInOrder() async throws {
        let clip = TestLocations.fixtures.appendingPathComponent("whisper/librivox-0870.wav").path
        let text = "And Mr. John Dashwood had then leisure to consider how much there might be prudently in his power to do for them."
        let run = try await runScriba(["align", clip, "--text", text, "--language", "en", "--engine", "whisper",
                                       "--model", TestLocations.whisperBase.path, "--format", "json"])
        #expect(run.status == 0, "\(run.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let segments = try #require(object["segments"] as? [[String: Any]])
        let words = segments.flatMap { ($0["words"] as? [[String: Any]]) ?? [] }
        let texts = words.compactMap { $0["word"] as? String }
        #expect(texts == ["And", "Mr", "John", "Dashwood", "had", "then", "leisure", "to", "consider", "how", "much", "there",
                          "might", "be", "prudently", "in", "his", "power", "to", "do", "for", "them"])
        let starts = words.compactMap { ($0["start"] as? NSNumber)?.doubleValue }
        let ends = words.compactMap { ($0["end"] as? NSNumber)?.doubleValue }
        #expect(starts.count == texts.count && ends.count == texts.count)
        #expect(zip(starts, ends).allSatisfy { $0 <= $1 && $0 >= 0 && $1 <= 7.11 })
        #expect(zip(starts, starts.dropFirst()).allSatisfy { $0 <= $1 })
        // Whisper hears "Mr." at about 0.5 s and "them" near the end of the 7.1 s clip.
        #expect(starts[1] > 0.2 && starts[1] < 1.0, "Mr at \(starts[1])")
        #expect(ends.last! > 6.0, "them ends at \(ends.last!)")
    }
}

/// `scriba vad --json`: one object per file per line, the speech where silero-vad's own
/// get_speech_timestamps puts it (Tests/Fixtures/silero/reference.json), none in music.
struct VADCommandTests {
    @Test func jsonLinesGiveTheReferenceSegments() async throws {
        let clip = TestLocations.fixtures.appendingPathComponent("whisper/librivox-0880.wav").path
        let music = TestLocations.fixtures.appendingPathComponent("silero/noise_music_120s.flac").path
        let run = try await runScriba(["vad", clip, music, "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        let objects = try lines.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        let reference = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: TestLocations.fixtures.appendingPathComponent("silero/reference.json"))) as? [String: Any])
        let clips = try #require(reference["clips"] as? [String: Any])
        let expected = try #require(((clips["librivox-0880"] as? [String: Any])?["segments"] as? [[Int]]))
        let speech = try #require(objects[0]["speech"] as? [[String: Double]])
        #expect(speech.count == expected.count)
        for (found, want) in zip(speech, expected) {
            #expect(abs(found["start"]! - Double(want[0]) / 16_000) <= 0.033 && abs(found["end"]! - Double(want[1]) / 16_000) <= 0.033)
        }
        #expect((objects[1]["speech"] as? [Any])?.isEmpty == true)
        #expect(objects[1]["duration"] as? Double == 120)
    }
}
