import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import ScribaServer

@Suite struct OpenAIRoutesTests {
    func withASR(_ engines: EngineHost = fakeEngines(), _ test: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let app = buildASRApplication(configuration: configuration(), engines: engines, logger: testLogger)
        try await app.test(.router) { client in try await test(client) }
    }

    let upload = Multipart().file("file", "tone.wav", wavBytes(seconds: 1)).field("model", "whisper-1")

    @Test func jsonFormatIsTextOnly() async throws {
        try await withASR { client in
            let response = try await client.post("/v1/audio/transcriptions", upload)
            #expect(response.status == .ok)
            #expect(response.json.count == 1)
            #expect(response.json["text"] as? String == "Hello world. This is Scriba.")
        }
    }

    @Test func textFormatIsPlainText() async throws {
        try await withASR { client in
            let response = try await client.post("/v1/audio/transcriptions", upload.field("response_format", "text"))
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/plain; charset=utf-8")
            #expect(response.text == "Hello world. This is Scriba.\n")
        }
    }

    @Test func srtFormatHasAlignedCues() async throws {
        try await withASR { client in
            let response = try await client.post("/v1/audio/transcriptions", upload.field("response_format", "srt"))
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/x-subrip; charset=utf-8")
            // 28 characters at 20 characters/s want 1.4 s on screen; the audio has 1 s, so the
            // one cue fills all of it.
            #expect(response.text == "1\n00:00:00,000 --> 00:00:01,000\nHello world. This is Scriba.\n\n")
        }
    }

    @Test func vttFormatStartsWithHeader() async throws {
        try await withASR { client in
            let response = try await client.post("/v1/audio/transcriptions", upload.field("response_format", "vtt"))
            #expect(response.status == .ok)
            #expect(response.text == "WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nHello world. This is Scriba.\n")
        }
    }

    @Test func verboseJSONWithWordAndSegmentGranularities() async throws {
        try await withASR { client in
            let form = upload.field("response_format", "verbose_json").field("language", "en")
                .field("timestamp_granularities[]", "word").field("timestamp_granularities[]", "segment")
            let response = try await client.post("/v1/audio/transcriptions", form)
            #expect(response.status == .ok)
            let json = response.json
            #expect(json["task"] as? String == "transcribe")
            #expect(json["language"] as? String == "english")
            #expect(number(json["duration"]) == 1.0)
            let words = objects(json["words"])
            #expect(words.count == 5)
            #expect(words.first?["word"] as? String == "Hello")
            #expect(number(words.first?["start"]) == 0.1)
            let segments = objects(json["segments"])
            #expect(segments.map { $0["id"] as? Int } == [0, 1])
            #expect(segments.map { $0["text"] as? String } == ["Hello world.", "This is Scriba."])
        }
    }

    @Test func verboseJSONDefaultsToSegmentsWithoutWords() async throws {
        try await withASR { client in
            let response = try await client.post("/v1/audio/transcriptions", upload.field("response_format", "verbose_json"))
            #expect(response.status == .ok)
            #expect(response.json["words"] == nil)
            #expect(objects(response.json["segments"]).count == 2)
        }
    }

    @Test func unknownResponseFormatIs400InOpenAIShape() async throws {
        try await withASR { client in
            let response = try await client.post("/v1/audio/transcriptions", upload.field("response_format", "docx"))
            #expect(response.status == .badRequest)
            let error = response.json["error"] as? [String: Any]
            #expect(error?["type"] as? String == "invalid_request_error")
            #expect(error?["param"] as? String == "response_format")
            #expect(error?["code"] as? String == "invalid_value")
            #expect((error?["message"] as? String)?.contains("json, text, srt, vtt, verbose_json") == true)
        }
    }

    @Test func unknownGranularityIs400() async throws {
        try await withASR { client in
            let response = try await client.post("/v1/audio/transcriptions", upload.field("timestamp_granularities[]", "letter"))
            #expect(response.status == .badRequest)
            #expect(response.errorParam == "timestamp_granularities[]")
        }
    }

    @Test func missingFileIs400() async throws {
        try await withASR { client in
            let response = try await client.post("/v1/audio/transcriptions", Multipart().field("model", "whisper-1"))
            #expect(response.status == .badRequest)
            #expect(response.errorCode == "missing_field")
            #expect(response.errorParam == "file")
        }
    }

    @Test func modelsListsTheLoadedRecognizerAndAligner() async throws {
        try await withASR { client in
            let response = try await client.get("/v1/models")
            #expect(response.status == .ok)
            #expect(response.json["object"] as? String == "list")
            let data = objects(response.json["data"])
            #expect(data.map { $0["id"] as? String } == ["fake-asr", "fake-aligner"])
            #expect(data.allSatisfy { $0["object"] as? String == "model" && $0["owned_by"] as? String == "scriba" })
            #expect((number(data.first?["created"]) ?? 0) > 1_700_000_000)
        }
    }
}
