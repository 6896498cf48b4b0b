import Foundation
import Testing
import ScribaPipeline
import ScribaTestSupport

// Every kind of bad input the CLI meets prints one sentence saying what was wrong and what to do,
// with its documented exit code, no Foundation dump, and before any model is resolved (no
// "note: ... using Whisper base" line, which model resolution prints here where Qwen3 is not cached).

struct ReadableErrorTests {
    func expectOneSentence(_ run: RunResult, status: Int32, _ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(run.status == status, "stderr: \(run.stderr)", sourceLocation: sourceLocation)
        #expect(run.stderr.contains(text), "stderr: \(run.stderr)", sourceLocation: sourceLocation)
        #expect(!run.stderr.contains("Domain="), "stderr: \(run.stderr)", sourceLocation: sourceLocation)
        #expect(!run.stderr.contains("note:"), "stderr: \(run.stderr)", sourceLocation: sourceLocation)
    }

    @Test func missingInputsAreNamedBeforeAnyModelIsResolved() async throws {
        let missing = try await runScriba(["transcribe", "/missing.wav"])
        expectOneSentence(missing, status: 2, "no such file: /missing.wav. Check the path and try again.")
        #expect(missing.stderr.split(separator: "\n").count == 1)
        let two = try await runScriba(["subtitles", "/missing.wav", "/also-missing.mp3", "-o", "/tmp"])
        expectOneSentence(two, status: 2, "no such files: /missing.wav, /also-missing.mp3.")
        expectOneSentence(try await runScriba(["minutes", "/missing.wav"]), status: 2, "no such file: /missing.wav.")
        expectOneSentence(try await runScriba(["align", "/missing.wav", "--text", "hi", "--language", "en"]),
                          status: 3, "no such file: /missing.wav.")
        expectOneSentence(try await runScriba(["transcribe", "/nonexistent-\(UUID().uuidString)/*.wav"]), status: 2, "matches no file")
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("empty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }
        expectOneSentence(try await runScriba(["transcribe", empty.path]), status: 2, "holds no audio or video files")
    }

    @Test func unreadableAudioAnUnwritableFolderAndAMissingModelSaySo() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let text = folder.appendingPathComponent("notes.wav")
        try Data("not audio at all".utf8).write(to: text)
        let clip = TestLocations.fixtures.appendingPathComponent("whisper/librivox-0870.wav").path

        // The batch names the file once, with the decoder's reason.
        let notAudio = try await runScriba(["transcribe", text.path, "--engine", "remote", "--asr-url", "http://127.0.0.1:9", "--retries", "0"])
        #expect(notAudio.status == 1 && notAudio.stderr.components(separatedBy: text.path).count == 2, "stderr: \(notAudio.stderr)")
        #expect(notAudio.stderr.contains("Check that it is a complete audio or video file"))

        // -o names a file, not a folder.
        let out = try await runScriba(["subtitles", clip, "-o", text.appendingPathComponent("subs").path, "--engine", "remote",
                                       "--asr-url", "http://127.0.0.1:9"])
        #expect(out.status == 6 && out.stderr.contains("cannot write \(text.appendingPathComponent("subs").path)"), "stderr: \(out.stderr)")
        #expect(!out.stderr.contains("Domain=") && !out.stderr.contains(".."))

        let model = try await runScriba(["transcribe", clip, "--engine", "whisper", "--model", "/nonexistent/model"])
        expectOneSentence(model, status: 4, "model folder /nonexistent/model does not exist")

        let unreachable = try await runScriba(["transcribe", clip, "--engine", "remote", "--asr-url", "http://127.0.0.1:9", "--retries", "0"])
        // Its only endpoint down, the batch stops (exit 5) with the reason.
        #expect(unreachable.status == 5 && unreachable.stderr.contains("Is `scriba serve` running there?"))
    }

    @Test func foundationFileErrorsBecomeOneSentence() throws {
        let missing = URL(fileURLWithPath: "/nonexistent-\(UUID().uuidString).wav")
        let error = try #require(throws: (any Error).self) { try Data(contentsOf: missing) }
        #expect(ReadableError.sentence(error) == "no such file: \(missing.path). Check the path and try again.")
        let folder = URL(fileURLWithPath: "/nonexistent-dir-\(UUID().uuidString)/out.txt")
        let write = try #require(throws: (any Error).self) { try Data("x".utf8).write(to: folder) }
        #expect(ReadableError.cause(write) == "no such file or folder")
        #expect(ReadableError.sentence(BatchError.noSuchFile(paths: ["a.wav"])) == "no such file: a.wav. Check the path and try again.")
    }
}
