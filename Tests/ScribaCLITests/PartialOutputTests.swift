import Foundation
import Hummingbird
import Testing
import ScribaAudio

// Exit codes for partial output: an ASR service that reports a truncated chunk makes
// `scriba subtitles` warn with the time range and exit 7, unless --allow-partial.

/// Answers every upload with "Hello world." and the given chunk status; `/align` answers 500.
private func runPartialService(status: String, _ body: @Sendable (String) async throws -> Void) async throws {
    let router = Router()
    router.post("transcribe") { request, _ -> Response in
        _ = try await request.body.collect(upTo: 50 << 20)
        return FakeService.json(#"{"text":"Hello world.","language":"English","language_code":"en","duration":1.0,"chunks":[{"start":0.0,"end":1.0,"status":"\#(status)"}]}"#)
    }
    router.post("align") { request, _ -> Response in
        _ = try await request.body.collect(upTo: 50 << 20)
        return Response(status: .internalServerError, body: .init(byteBuffer: ByteBuffer(string: #"{"error":{"message":"aligner crashed"}}"#)))
    }
    try await serve(router, body)
}

/// A new temporary folder holding talk.wav, a tone of `seconds`.
func toneInput(seconds: Int = 1) throws -> (folder: URL, input: URL) {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("partial-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let input = folder.appendingPathComponent("talk.wav")
    try WAVWriter.write(AudioBuffer(samples: (0..<16_000 * seconds).map { sinf(Float($0) * 0.06) * 0.4 }, sampleRate: 16_000), to: input)
    return (folder, input)
}

struct PartialOutputTests {
    @Test func aTruncatedChunkExitsSevenWithAWarningUnlessAllowed() async throws {
        let (folder, input) = try toneInput()
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("subs")
        try await runPartialService(status: "truncated") { url in
            let args = ["subtitles", input.path, "-o", out.path, "--format", "srt", "--engine", "remote", "--asr-url", url,
                        "--retries", "0", "--no-resume"]
            let strict = try await runScriba(args)
            #expect(strict.status == 7, "stderr: \(strict.stderr)")
            #expect(strict.stderr.contains("warning: talk.wav 0:00.0–0:01.0 truncated"))
            #expect(strict.stderr.contains("1 of 1 inputs have partial transcripts"))
            // The outputs are still written, and the report counts the chunk.
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("talk.srt").path))
            let report = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("processing_report.json"))) as? [String: Any]
            #expect(report?["partial"] as? Int == 1)
            #expect((report?["chunk_statuses"] as? [String: Int])?["truncated"] == 1)

            let allowed = try await runScriba(args + ["--allow-partial"])
            #expect(allowed.status == 0, "stderr: \(allowed.stderr)")
            #expect(allowed.stderr.contains("warning: talk.wav 0:00.0–0:01.0 truncated"))

            let json = try await runScriba(["transcribe", input.path, "--json", "--engine", "remote", "--asr-url", url, "--retries", "0"])
            #expect(json.status == 7)
            #expect(json.stdout.contains(#""complete": false"#) && json.stdout.split(separator: "\n").count == 1)

            // Minutes from a partial transcript: written, warned about, exit 7 unless allowed.
            let notes = folder.appendingPathComponent("notes")
            let minutesArgs = ["minutes", input.path, "-o", notes.path, "--engine", "remote", "--asr-url", url, "--retries", "0", "--no-resume"]
            let minutes = try await runScriba(minutesArgs)
            #expect(minutes.status == 7, "stderr: \(minutes.stderr)")
            #expect(minutes.stderr.contains("warning: talk.wav 0:00.0–0:01.0 truncated"))
            #expect(FileManager.default.fileExists(atPath: notes.appendingPathComponent("talk.minutes.md").path))
            #expect(try await runScriba(minutesArgs + ["--allow-partial"]).status == 0)
        }
        try await runPartialService(status: "ok") { url in
            let clean = try await runScriba(["transcribe", input.path, "--engine", "remote", "--asr-url", url, "--retries", "0"])
            #expect(clean.status == 0 && clean.stdout == "Hello world.\n" && !clean.stderr.contains("warning"))
        }
    }

    @Test func anAlignerThatAnswers500KeepsTheTextAsUnalignedAndExitsSeven() async throws {
        let (folder, input) = try toneInput()
        defer { try? FileManager.default.removeItem(at: folder) }
        try await runPartialService(status: "ok") { url in
            // The fake serves both routes: the ASR answers, the aligner answers 500.
            let out = folder.appendingPathComponent("subs")
            let remote = ["--engine", "remote", "--asr-url", url, "--align-url", url, "--retries", "0", "--no-resume"]
            let args = ["subtitles", input.path, "-o", out.path, "--format", "json,srt"] + remote
            let strict = try await runScriba(args)
            #expect(strict.status == 7, "stderr: \(strict.stderr)")
            #expect(strict.stderr.contains("warning: talk.wav 0:00.0–0:01.0 unaligned: aligner failed"))
            let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("talk.json"))) as? [String: Any])
            #expect(json["text"] as? String == "Hello world.")
            #expect(json["alignment"] is NSNull)
            #expect((json["chunks"] as? [[String: Any]])?.map { $0["status"] as? String } == ["unaligned"])
            // The subtitles still carry the text, on the chunk's span.
            let srt = try String(contentsOf: out.appendingPathComponent("talk.srt"), encoding: .utf8)
            #expect(srt.contains("Hello world."))
            let report = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("processing_report.json"))) as? [String: Any]
            #expect((report?["chunk_statuses"] as? [String: Int])?["unaligned"] == 1)

            let allowed = try await runScriba(args + ["--allow-partial"])
            #expect(allowed.status == 0, "stderr: \(allowed.stderr)")
        }
    }
}
