import Foundation
import Hummingbird
import Synchronization
import Testing
import ScribaAudio

// --max-chunk-seconds and --remote-timeout, against the fake service in this process.

struct EngineFlagsTests {
    @Test func maxChunkSecondsCutsTheAudioIntoShorterUploads() async throws {
        let (folder, input) = try toneInput(seconds: 5)
        defer { try? FileManager.default.removeItem(at: folder) }
        let service = FakeService()
        try await service.run { url in
            // No re-decoding of the speech the fake's two words leave uncovered: one upload per chunk.
            let remote = ["--engine", "remote", "--asr-url", url, "--retries", "0", "--no-recover-skipped-speech"]
            #expect(try await runScriba(["transcribe", input.path] + remote).status == 0)
            #expect(service.transcribeCalls.withLock { $0 } == 1)  // 5 s fits the default 30 s
            let short = try await runScriba(["transcribe", input.path, "--max-chunk-seconds", "2"] + remote)
            #expect(short.status == 0, "stderr: \(short.stderr)")
            // 5 s of unbroken tone in chunks of at most 2 s: at least 3 more uploads.
            #expect(service.transcribeCalls.withLock { $0 } >= 4)
        }
    }

    @Test func chunkLongerThanTheEngineTakesIsRefusedBeforeAnyModelLoads() async throws {
        // The model path does not exist: reaching the loader would fail differently.
        let whisper = try await runScriba(["transcribe", "x.wav", "--engine", "whisper", "--model", "/nonexistent/whisper",
                                           "--max-chunk-seconds", "45"])
        #expect(whisper.status == 64 || whisper.status == 2)
        #expect(whisper.stderr.contains("--max-chunk-seconds 45.0 is longer than the whisper engine takes in one call (30.0 s). Pass at most 30.0."),
                "stderr: \(whisper.stderr)")
        let tiny = try await runScriba(["subtitles", "x.wav", "--max-chunk-seconds", "0.5"])
        #expect(tiny.stderr.contains("--max-chunk-seconds must be at least 1"))
        let timeout = try await runScriba(["transcribe", "x.wav", "--remote-timeout", "0"])
        #expect(timeout.stderr.contains("--remote-timeout 0.0 is outside"))
    }

    @Test func remoteTimeoutGivesUpOnASlowService() async throws {
        let (folder, input) = try toneInput()
        defer { try? FileManager.default.removeItem(at: folder) }
        let router = Router()
        router.post("transcribe") { request, _ -> Response in
            _ = try await request.body.collect(upTo: 50 << 20)
            try await Task.sleep(for: .seconds(4))
            return FakeService.json(#"{"text":"late","language":"en","duration":1.0}"#)
        }
        try await serve(router) { url in
            let run = try await runScriba(["transcribe", input.path, "--engine", "remote", "--asr-url", url,
                                           "--retries", "0", "--remote-timeout", "1"])
            // The only endpoint timed out and, with --retries 0, is given up: the batch stops as
            // "every endpoint down" (exit 5), so a rerun resumes.
            #expect(run.status == 5 && !run.stdout.contains("late"), "stdout: \(run.stdout)")
            // The service would answer after 4 s: the failure proves the client gave up first (no
            // wall-clock bound here: a loaded test machine takes seconds just to start the process).
            #expect(run.stderr.contains("did not answer within 1.0 s"), "stderr: \(run.stderr)")
        }
    }
}
