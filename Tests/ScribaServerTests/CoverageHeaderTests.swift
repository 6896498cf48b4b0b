import Foundation
import Hummingbird
import HummingbirdTesting
import ScribaAudio
import ScribaPipeline
import Testing
@testable import ScribaServer

/// Says "Hello world." and reports the chunk as truncated (its token budget ran out).
private struct TruncatingRecognizer: SpeechRecognizer {
    let modelName = "truncating"
    let maxChunkDuration = 30.0
    func transcribe(_ audio: AudioBuffer, options: RecognitionOptions) async throws -> Recognition {
        Recognition(language: "en", text: "Hello world.", segments: [], status: .truncated)
    }
}

/// Never a bare 200 with missing audio: a partial transcript says so in the JSON and in
/// `X-Scriba-Coverage`, on both the Scriba and the OpenAI-compatible route.
@Suite struct CoverageHeaderTests {
    func run(_ recognizer: any SpeechRecognizer, _ test: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        // Tone uploads: the energy detector hears them, Silero (the default) rightly does not.
        let engines = EngineHost(recognizer: recognizer, aligner: nil,
                                 limiter: ConcurrencyLimiter(maxConcurrent: 1, maxQueued: 1, retryAfterSeconds: 1),
                                 voiceDetector: .energy)
        let app = buildASRApplication(configuration: configuration(), engines: engines, logger: testLogger)
        try await app.test(.router) { client in try await test(client) }
    }

    @Test func partialTranscriptsAreMarkedInTheBodyAndTheHeader() async throws {
        try await run(TruncatingRecognizer()) { client in
            let response = try await client.post("/transcribe", oneSecondUpload)
            #expect(response.status == .ok)
            #expect(response.headers[Response.coverageHeader] == "partial")
            #expect(response.json["coverage"] as? String == "partial")
            #expect(objects(response.json["chunks"]).first?["status"] as? String == "truncated")
            let openAI = try await client.post("/v1/audio/transcriptions", Multipart().file("file", "tone.wav", wavBytes(seconds: 1)))
            #expect(openAI.headers[Response.coverageHeader] == "partial")
            let verbose = try await client.post("/v1/audio/transcriptions",
                                                Multipart().file("file", "tone.wav", wavBytes(seconds: 1)).field("response_format", "verbose_json"))
            #expect(verbose.json["coverage"] as? String == "partial")
        }
        try await run(FakeRecognizer()) { client in
            let response = try await client.post("/transcribe", oneSecondUpload)
            #expect(response.headers[Response.coverageHeader] == "complete")
            #expect(response.json["coverage"] as? String == "complete")
        }
    }
}
