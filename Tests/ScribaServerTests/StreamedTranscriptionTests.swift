import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import ScribaServer

/// `stream=true` on `/v1/audio/transcriptions`: OpenAI's Server-Sent Events.
@Suite struct StreamedTranscriptionTests {
    /// The `data:` events of an SSE body, parsed.
    static func events(_ body: String) -> [[String: Any]] {
        body.components(separatedBy: "\n\n").compactMap { block in
            guard block.hasPrefix("data: ") else { return nil }
            return try? JSONSerialization.jsonObject(with: Data(block.dropFirst(6).utf8)) as? [String: Any]
        }
    }

    @Test func streamSendsDeltasPerChunkThenDone() async throws {
        let app = buildASRApplication(configuration: configuration(maxUploadBytes: 4_000_000), engines: fakeEngines(), logger: testLogger)
        try await app.test(.router) { client in
            // 65 s → three ≤ 30 s chunks, each heard as the fake's sentence pair.
            let form = Multipart().file("file", "long.wav", wavBytes(seconds: 65)).field("model", "whisper-1").field("stream", "true")
            let response = try await client.post("/v1/audio/transcriptions", form)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/event-stream")
            let events = Self.events(String(buffer: response.body))
            let deltas = events.filter { $0["type"] as? String == "transcript.text.delta" }.compactMap { $0["delta"] as? String }
            let done = try #require(events.last)
            #expect(done["type"] as? String == "transcript.text.done")
            #expect(deltas.count >= 2)
            #expect(deltas.joined() == done["text"] as? String)
            #expect((done["text"] as? String)?.hasPrefix("Hello world. This is Scriba. Hello world.") == true)
        }
    }

    @Test func aBadStreamValueIs400() async throws {
        let app = buildASRApplication(configuration: configuration(), engines: fakeEngines(), logger: testLogger)
        try await app.test(.router) { client in
            let form = Multipart().file("file", "a.wav", wavBytes(seconds: 1)).field("stream", "yes")
            let response = try await client.post("/v1/audio/transcriptions", form)
            #expect(response.status == .badRequest)
            #expect(String(buffer: response.body).contains("true or false"))
        }
    }

    @Test func aFailingEngineEndsTheStreamWithAnErrorEvent() async throws {
        let engines = fakeEngines(recognizer: FakeRecognizer(failure: EngineFailure()))
        let app = buildASRApplication(configuration: configuration(), engines: engines, logger: testLogger)
        try await app.test(.router) { client in
            let form = Multipart().file("file", "a.wav", wavBytes(seconds: 1)).field("stream", "true")
            let response = try await client.post("/v1/audio/transcriptions", form)
            let events = Self.events(String(buffer: response.body))
            #expect(events.count == 1)
            #expect(events.first?["type"] as? String == "error")
            #expect(((events.first?["error"] as? [String: Any])?["message"] as? String)?.contains("out of memory") == true)
        }
    }
}
