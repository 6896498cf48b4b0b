import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import ScribaServer

@Suite struct AlignRoutesTests {
    func withAligner(_ engines: EngineHost = fakeEngines(), _ test: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let app = buildAlignApplication(configuration: configuration(), engines: engines, logger: testLogger)
        try await app.test(.router) { client in try await test(client) }
    }

    let upload = Multipart().file("audio", "tone.wav", wavBytes(seconds: 2)).field("language", "en")

    @Test func alignReturnsWordsSentencesAndDuration() async throws {
        try await withAligner { client in
            let response = try await client.post("/align", upload.field("text", "Good morning. See you soon!"))
            #expect(response.status == .ok)
            let json = response.json
            #expect(number(json["duration"]) == 2.0)
            let words = objects(json["words"])
            #expect(words.map { $0["word"] as? String } == ["Good", "morning", "See", "you", "soon"])
            // Word 1 ("morning"): 0.1 + 0.15 = 0.25 ... 0.35.
            #expect(number(words[1]["start"]) == 0.25)
            #expect(number(words[1]["end"]) == 0.35)
            let sentences = objects(json["sentences"])
            #expect(sentences.map { $0["text"] as? String } == ["Good morning.", "See you soon!"])
            #expect(number(sentences[1]["start"]) == 0.4)
            #expect(number(sentences[1]["end"]) == 0.8)
        }
    }

    @Test func alignWithoutTextIs400() async throws {
        try await withAligner { client in
            let response = try await client.post("/align", upload)
            #expect(response.status == .badRequest)
            #expect(response.errorParam == "text")
        }
    }

    @Test func alignWithoutAudioIs400() async throws {
        try await withAligner { client in
            let response = try await client.post("/align", Multipart().field("text", "hi").field("language", "en"))
            #expect(response.status == .badRequest)
            #expect(response.errorParam == "audio")
        }
    }

    @Test func alignWithAutoLanguageIs400() async throws {
        try await withAligner { client in
            let form = Multipart().file("audio", "tone.wav", wavBytes(seconds: 1)).field("text", "hi").field("language", "auto")
            let response = try await client.post("/align", form)
            #expect(response.status == .badRequest)
            #expect(response.errorCode == "invalid_value")
            #expect(response.errorMessage?.contains("does not detect it") == true)
        }
    }

    @Test func alignWithUnknownLanguageIs400() async throws {
        try await withAligner { client in
            let form = Multipart().file("audio", "tone.wav", wavBytes(seconds: 1)).field("text", "hi").field("language", "xx")
            let response = try await client.post("/align", form)
            #expect(response.status == .badRequest)
            #expect(response.errorCode == "unknown_language")
        }
    }

    @Test func alignWithoutALoadedAlignerIs501() async throws {
        try await withAligner(fakeEngines(aligner: nil)) { client in
            let response = try await client.post("/align", upload.field("text", "hello"))
            #expect(response.status == .notImplemented)
            #expect(response.errorCode == "aligner_not_loaded")
            #expect(response.errorMessage?.contains("--aligner-model") == true)
        }
    }
}
