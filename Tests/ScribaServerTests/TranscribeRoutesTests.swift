import Foundation
import Hummingbird
import HummingbirdTesting
import ScribaPipeline
import Testing
@testable import ScribaServer

@Suite struct TranscribeRoutesTests {
    func withASR(_ engines: EngineHost = fakeEngines(), maxUploadBytes: Int = 1_000_000,
                 _ test: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let app = buildASRApplication(configuration: configuration(maxUploadBytes: maxUploadBytes), engines: engines, logger: testLogger)
        try await app.test(.router) { client in try await test(client) }
    }

    @Test func transcribeReturnsTextLanguageDurationAndChunks() async throws {
        try await withASR { client in
            let response = try await client.post("/transcribe", oneSecondUpload)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json")
            let json = response.json
            #expect(json["text"] as? String == "Hello world. This is Scriba.")
            // The model's English name, as the original service answers, and the code beside it.
            #expect(json["language"] as? String == "English")
            #expect(json["language_code"] as? String == "en")
            // 16 000 samples at 16 kHz.
            #expect(number(json["duration"]) == 1.0)
            let chunks = objects(json["chunks"])
            #expect(chunks.count == 1)
            #expect(chunks.first?["status"] as? String == "ok")
            #expect(json["words"] == nil)
            #expect(response.headers[ResponseJSON.audioSecondsHeader] == "1.000")
        }
    }

    @Test func transcribeWithTimestampsReturnsAlignedWordsAndSentences() async throws {
        try await withASR { client in
            let response = try await client.post("/transcribe", oneSecondUpload.field("timestamps", "true"))
            #expect(response.status == .ok)
            let words = objects(response.json["words"])
            #expect(words.map { $0["word"] as? String } == ["Hello", "world", "This", "is", "Scriba"])
            // Word 4 ("Scriba") starts at 0.1 + 4 × 0.15 = 0.7 and ends 0.1 later.
            #expect(number(words.last?["start"]) == 0.7)
            #expect(number(words.last?["end"]) == 0.8)
            let sentences = objects(response.json["sentences"])
            #expect(sentences.map { $0["text"] as? String } == ["Hello world.", "This is Scriba."])
            // "This" is word 2: 0.1 + 2 × 0.15 = 0.4.
            #expect(number(sentences.last?["start"]) == 0.4)
            #expect(number(sentences.first?["end"]) == 0.35)
            // The original pipeline's shape beside them.
            let alignment = response.json["alignment"] as? [String: Any]
            #expect(objects(alignment?["words"]).map { $0["word"] as? String } == ["Hello", "world", "This", "is", "Scriba"])
            #expect(objects(alignment?["sentences"]).count == 2)
        }
    }

    @Test func languageAndContextReachTheRecognizer() async throws {
        let recognizer = FakeRecognizer()
        try await withASR(fakeEngines(recognizer: recognizer)) { client in
            let form = oneSecondUpload.field("language", "zh").field("context", "Scriba, OpenBLAS")
            let response = try await client.post("/transcribe", form)
            #expect(response.status == .ok)
            #expect(response.json["language"] as? String == "Chinese")
            #expect(response.json["language_code"] as? String == "zh")
        }
        let options = await recognizer.recorder.options
        #expect(options.count == 1)
        #expect(options.first?.language?.code == "zh")
        #expect(options.first?.context == "Scriba, OpenBLAS")
        #expect(options.first?.wordTimestamps == false)
        #expect(await recognizer.recorder.seconds == [1.0])
    }

    @Test func longUploadIsChunkedByThePipeline() async throws {
        // 70 s of a pause-free tone with a 30 s recogniser limit: the pause chunker finds no pause, so
        // it hard-cuts into 3 chunks of at most 30 s, each overlapping the previous one by 1 s.
        let recognizer = FakeRecognizer()
        try await withASR(fakeEngines(recognizer: recognizer), maxUploadBytes: 4_000_000) { client in
            let response = try await client.post("/transcribe", Multipart().file("audio", "long.wav", wavBytes(seconds: 70)))
            #expect(response.status == .ok)
            #expect(objects(response.json["chunks"]).count == 3)
            #expect(number(response.json["duration"]) == 70.0)
        }
        #expect(await recognizer.recorder.seconds.count == 3)
        let seconds = await recognizer.recorder.seconds
        #expect(seconds.allSatisfy { $0 <= 30 })
        #expect(abs(seconds.reduce(0, +) - 72.0) < 1e-9)
    }

    @Test func uploadWithoutAudioFieldIs400() async throws {
        try await withASR { client in
            let response = try await client.post("/transcribe", Multipart().field("language", "en"))
            #expect(response.status == .badRequest)
            #expect(response.errorCode == "missing_field")
            #expect(response.errorParam == "audio")
            #expect(response.errorMessage?.contains("'audio' is missing") == true)
            #expect((response.json["error"] as? [String: Any])?["type"] as? String == "invalid_request_error")
        }
    }

    @Test func unknownLanguageIs400ListingSupportedOnes() async throws {
        try await withASR { client in
            let response = try await client.post("/transcribe", oneSecondUpload.field("language", "klingon"))
            #expect(response.status == .badRequest)
            #expect(response.errorCode == "unknown_language")
            #expect(response.errorParam == "language")
            #expect(response.errorMessage?.contains("klingon") == true)
            #expect(response.errorMessage?.contains("zh, en, yue, ja, ko") == true)
        }
    }

    @Test func nonBooleanTimestampsIs400() async throws {
        try await withASR { client in
            let response = try await client.post("/transcribe", oneSecondUpload.field("timestamps", "maybe"))
            #expect(response.status == .badRequest)
            #expect(response.errorCode == "invalid_value")
            #expect(response.errorParam == "timestamps")
        }
    }

    @Test func nonMultipartBodyIs415() async throws {
        try await withASR { client in
            let response = try await client.execute(
                uri: "/transcribe", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: #"{"audio": "x"}"#)) { $0 }
            #expect(response.status == .unsupportedMediaType)
            #expect(response.errorCode == "not_multipart")
            #expect(response.errorMessage?.contains("application/json") == true)
        }
    }

    @Test func uploadOverTheLimitIs413() async throws {
        // 1 s of 16-bit audio is 32 044 bytes of WAV; the limit is 10 000.
        try await withASR(maxUploadBytes: 10_000) { client in
            let response = try await client.post("/transcribe", oneSecondUpload)
            #expect(response.status == .contentTooLarge)
            #expect(response.errorCode == "upload_too_large")
            #expect(response.errorMessage?.contains("--max-upload-mb") == true)
        }
    }

    @Test func textFileIs415NamingTheUploadNotAPath() async throws {
        try await withASR { client in
            let form = Multipart().file("audio", "../../etc/notes.txt", Array("just some text, not sound".utf8))
            let response = try await client.post("/transcribe", form)
            #expect(response.status == .unsupportedMediaType)
            #expect(response.errorCode == "unsupported_audio")
            #expect(response.errorMessage?.hasPrefix("upload.txt:") == true)
            #expect(response.errorMessage?.contains("etc") == false)
        }
    }

    @Test func truncatedWAVIs422() async throws {
        // Header declares 32 000 data bytes; only 1 000 follow.
        let wav = Array(wavBytes(seconds: 1).prefix(44 + 1000))
        try await withASR { client in
            let response = try await client.post("/transcribe", Multipart().file("audio", "cut.wav", wav))
            #expect(response.status == .unprocessableContent)
            #expect(response.errorCode == "invalid_audio")
            #expect(response.errorMessage?.contains("declares 32000 bytes but only 1000") == true)
        }
    }

    @Test func emptyAudioFileIs422() async throws {
        try await withASR { client in
            let response = try await client.post("/transcribe", Multipart().file("audio", "empty.wav", []))
            #expect(response.status == .unprocessableContent)
            #expect(response.errorCode == "empty_audio")
        }
    }

    @Test func engineFailureIs500WithTheEngineMessage() async throws {
        let engines = fakeEngines(recognizer: FakeRecognizer(failure: EngineFailure()))
        try await withASR(engines) { client in
            let response = try await client.post("/transcribe", oneSecondUpload)
            #expect(response.status == .internalServerError)
            #expect(response.errorCode == "engine_failed")
            #expect((response.json["error"] as? [String: Any])?["type"] as? String == "server_error")
            #expect(response.errorMessage == "transcription failed: decoder ran out of memory")
        }
    }

    @Test func unknownPathIs404InTheErrorShape() async throws {
        try await withASR { client in
            let response = try await client.get("/v2/nothing")
            #expect(response.status == .notFound)
            #expect(response.errorCode == "not_found")
            #expect(response.errorMessage?.contains("GET /v2/nothing") == true)
        }
    }

    @Test func transcribeWhileModelsLoadIs503WithRetryAfter() async throws {
        let engines = EngineHost(limiter: ConcurrencyLimiter(maxConcurrent: 1, maxQueued: 1))
        try await withASR(engines) { client in
            let response = try await client.post("/transcribe", oneSecondUpload)
            #expect(response.status == .serviceUnavailable)
            #expect(response.errorCode == "models_loading")
            #expect(response.headers[.retryAfter] == "5")
        }
    }
}
