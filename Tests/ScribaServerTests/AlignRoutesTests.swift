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

    @Test func alignWithAutoLanguageTakesItFromTheScriptAndSaysSo() async throws {
        try await withAligner { client in
            for (text, code, name) in [("今天 天气 很好", "zh", "Chinese"), ("きょう は いい 天気", "ja", "Japanese"),
                                       ("안녕 하세요", "ko", "Korean"), ("Guten Morgen", "en", "English")] {
                let form = Multipart().file("audio", "tone.wav", wavBytes(seconds: 1)).field("text", text).field("language", "auto")
                let response = try await client.post("/align", form)
                #expect(response.status == .ok)
                #expect(response.json["language"] as? String == code, "\(text)")
                #expect(response.json["language_name"] as? String == name)
                #expect(response.json["language_source"] as? String == "script")
            }
            // No language field at all is auto too; a named one is used as given.
            let bare = try await client.post("/align", Multipart().file("audio", "tone.wav", wavBytes(seconds: 1)).field("text", "你好"))
            #expect(bare.json["language"] as? String == "zh")
            let given = try await client.post("/align", upload.field("text", "hello"))
            #expect(given.json["language"] as? String == "en" && given.json["language_source"] as? String == "request")
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
