import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import ScribaServer

/// Abuse and security defaults that HummingbirdTesting can drive: API keys, CORS,
/// malformed bodies, uploads spooled to disk. Slow-loris and load are scripts (scripts/server/).
@Suite struct HardeningTests {
    static let key = "test-key-0123456789"

    func withASR(apiKey: String? = nil, corsOrigin: String? = nil, engines: EngineHost = fakeEngines(),
                 _ test: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let configuration = ServerConfiguration(host: "127.0.0.1", port: 0, maxUploadBytes: 2_000_000,
                                                apiKey: apiKey, corsOrigin: corsOrigin)
        let app = buildASRApplication(configuration: configuration, engines: engines, logger: testLogger)
        try await app.test(.router) { client in try await test(client) }
    }

    func post(_ client: any TestClientProtocol, _ uri: String, _ form: Multipart, authorization: String?) async throws -> TestResponse {
        var headers = form.headers
        if let authorization { headers[.authorization] = authorization }
        return try await client.execute(uri: uri, method: .post, headers: headers, body: form.body) { $0 }
    }

    // MARK: API key

    @Test func missingOrWrongKeyIs401InOpenAIShape() async throws {
        try await withASR(apiKey: Self.key) { client in
            let none = try await post(client, "/transcribe", oneSecondUpload, authorization: nil)
            #expect(none.status == .unauthorized)
            #expect(none.errorCode == "invalid_api_key")
            #expect(none.errorMessage?.contains("Authorization: Bearer") == true)
            #expect(none.headers[.wwwAuthenticate] == "Bearer")
            #expect((none.json["error"] as? [String: Any])?["type"] as? String == "invalid_request_error")

            let wrong = try await post(client, "/v1/audio/transcriptions", Multipart().file("file", "a.wav", wavBytes(seconds: 1)),
                                       authorization: "Bearer test-key-0123456788")
            #expect(wrong.status == .unauthorized)
            #expect(wrong.errorMessage?.hasPrefix("incorrect API key") == true)

            // A key that is a prefix of the real one, and the right key under another scheme.
            #expect(try await post(client, "/transcribe", oneSecondUpload, authorization: "Bearer test-key").status == .unauthorized)
            #expect(try await post(client, "/transcribe", oneSecondUpload, authorization: "Basic \(Self.key)").status == .unauthorized)
            #expect(try await client.get("/v1/models").status == .unauthorized)
        }
    }

    @Test func rightKeyPassesAndHealthStaysOpen() async throws {
        try await withASR(apiKey: Self.key) { client in
            let ok = try await post(client, "/transcribe", oneSecondUpload, authorization: "bearer  \(Self.key) ")
            #expect(ok.status == .ok)
            #expect(ok.json["text"] as? String == "Hello world. This is Scriba.")
            #expect(try await client.get("/health").status == .ok)
            #expect(try await client.get("/ready").status == .ok)
        }
    }

    @Test func uiPageLoadsWithoutKeyButItsAPINeedsOne() async throws {
        let configuration = ServerConfiguration(host: "127.0.0.1", port: 0, apiKey: Self.key)
        let app = buildUIApplication(configuration: configuration, engines: fakeEngines(), logger: testLogger)
        try await app.test(.router) { client in
            let page = try await client.get("/")
            #expect(page.status == .ok)
            #expect(page.text.contains("id=\"apikey\""))
            #expect(try await post(client, "/api/transcribe", oneSecondUpload, authorization: nil).status == .unauthorized)
            let ok = try await post(client, "/api/transcribe", oneSecondUpload, authorization: "Bearer \(Self.key)")
            #expect(ok.status == .ok)
            #expect((ok.json["srt"] as? String)?.hasPrefix("1\n") == true)
        }
    }

    @Test func withoutAConfiguredKeyAnyAuthorizationIsIgnored() async throws {
        try await withASR { client in
            let response = try await post(client, "/transcribe", oneSecondUpload, authorization: "Bearer unused")
            #expect(response.status == .ok)
        }
    }

    @Test func constantTimeCompareAndBearerParsing() {
        let key = Array("abcdefgh".utf8)
        #expect(APIKeyMiddleware<BasicRequestContext>.constantTimeEquals(key, key))
        #expect(!APIKeyMiddleware<BasicRequestContext>.constantTimeEquals(Array("abcdefgX".utf8), key))
        #expect(!APIKeyMiddleware<BasicRequestContext>.constantTimeEquals(Array("abcdefg".utf8), key))
        #expect(!APIKeyMiddleware<BasicRequestContext>.constantTimeEquals(Array("abcdefghi".utf8), key))
        #expect(!APIKeyMiddleware<BasicRequestContext>.constantTimeEquals([], key))
        #expect(APIKeyMiddleware<BasicRequestContext>.bearerToken("Bearer abc") == "abc")
        #expect(APIKeyMiddleware<BasicRequestContext>.bearerToken("BEARER   abc  ") == "abc")
        #expect(APIKeyMiddleware<BasicRequestContext>.bearerToken("Bearer ") == nil)
        #expect(APIKeyMiddleware<BasicRequestContext>.bearerToken("Token abc") == nil)
        #expect(APIKeyMiddleware<BasicRequestContext>.bearerToken(nil) == nil)
    }

    // MARK: CORS

    @Test func corsIsOffByDefault() async throws {
        try await withASR { client in
            let response = try await client.execute(uri: "/health", method: .get, headers: [.origin: "https://evil.example"]) { $0 }
            #expect(response.status == .ok)
            #expect(response.headers[.accessControlAllowOrigin] == nil)
            let preflight = try await client.execute(uri: "/transcribe", method: .options,
                                                     headers: [.origin: "https://evil.example", .accessControlRequestMethod: "POST"]) { $0 }
            #expect(preflight.status != .noContent && preflight.status != .ok)
            #expect(preflight.headers[.accessControlAllowOrigin] == nil)
        }
    }

    @Test func corsAllowsOnlyTheConfiguredOrigin() async throws {
        try await withASR(apiKey: Self.key, corsOrigin: "https://app.example") { client in
            // The preflight carries no key; it must still be answered.
            let preflight = try await client.execute(uri: "/transcribe", method: .options,
                                                     headers: [.origin: "https://app.example", .accessControlRequestMethod: "POST"]) { $0 }
            #expect(preflight.status == .noContent)
            #expect(preflight.headers[.accessControlAllowOrigin] == "https://app.example")
            #expect(preflight.headers[.accessControlAllowHeaders]?.lowercased().contains("authorization") == true)

            var headers = oneSecondUpload.headers
            headers[.origin] = "https://app.example"
            headers[.authorization] = "Bearer \(Self.key)"
            let allowed = try await client.execute(uri: "/transcribe", method: .post, headers: headers, body: oneSecondUpload.body) { $0 }
            #expect(allowed.status == .ok)
            #expect(allowed.headers[.accessControlAllowOrigin] == "https://app.example")

            // Errors keep their JSON body and still carry the header, so the page can read them.
            headers[.authorization] = nil
            let denied = try await client.execute(uri: "/transcribe", method: .post, headers: headers, body: oneSecondUpload.body) { $0 }
            #expect(denied.status == .unauthorized)
            #expect(denied.errorCode == "invalid_api_key")
            #expect(denied.headers[.accessControlAllowOrigin] == "https://app.example")

            let other = try await client.execute(uri: "/health", method: .get, headers: [.origin: "https://evil.example"]) { $0 }
            #expect(other.headers[.accessControlAllowOrigin] == nil)
        }
    }

    // MARK: Malformed bodies

    @Test func truncatedMultipartIs400AndTheServerStillAnswers() async throws {
        try await withASR { client in
            // The closing boundary and half the WAV are cut off.
            let whole = oneSecondUpload.body
            let cut = ByteBuffer(bytes: whole.readableBytesView.prefix(whole.readableBytes / 2))
            let truncated = try await client.execute(uri: "/transcribe", method: .post, headers: oneSecondUpload.headers, body: cut) { $0 }
            #expect(truncated.status == .badRequest)
            #expect(truncated.errorCode == "malformed_multipart")
            #expect(truncated.errorMessage?.contains("closing boundary") == true)

            let garbage = try await client.execute(uri: "/transcribe", method: .post, headers: oneSecondUpload.headers,
                                                   body: ByteBuffer(string: "this is not multipart at all")) { $0 }
            #expect(garbage.status == .badRequest)
            #expect(garbage.errorCode == "malformed_multipart")

            let normal = try await client.post("/transcribe", oneSecondUpload)
            #expect(normal.status == .ok)
            #expect(number(normal.json["duration"]) == 1.0)
        }
    }

    @Test func tooManyPartsIs400() async throws {
        var fields = oneSecondUpload
        for index in 0..<PartCollector.maxParts { fields = fields.field("f\(index)", "x") }
        let form = fields
        try await withASR { client in
            let response = try await client.post("/transcribe", form)
            #expect(response.status == .badRequest)
            #expect(response.errorMessage?.contains("more than 64 parts") == true)
        }
    }

    // MARK: Spooling

    /// A multipart request streamed in `chunk`-byte pieces.
    func request(_ form: Multipart, chunk: Int) -> Request {
        let bytes = Array(form.body.readableBytesView)
        let head = HTTPRequest(method: .post, scheme: "http", authority: "localhost", path: "/transcribe",
                               headerFields: form.headers)
        return Request(head: head, body: RequestBody(asyncSequence: AsyncStream { continuation in
            stride(from: 0, to: bytes.count, by: chunk).forEach {
                continuation.yield(ByteBuffer(bytes: bytes[$0..<min($0 + chunk, bytes.count)]))
            }
            continuation.finish()
        }))
    }

    func emptyFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scriba-spool-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test func largePartIsSpooledAndNothingIsLeftOnDisk() async throws {
        let folder = try emptyFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // 10 s of 16-bit 16 kHz audio: 320 044 bytes, past the 256 KiB in-memory limit.
        let audio = wavBytes(seconds: 10)
        #expect(audio.count > PartCollector.memoryLimit)
        let form = Multipart().field("language", "en").file("audio", "../../etc/passwd.wav", audio)
        let parsed = try await MultipartForm.read(request(form, chunk: 8192), limitBytes: 1_000_000, spoolDirectory: folder)
        #expect(parsed.part("audio").map { Array($0.data) } == audio)
        #expect(parsed.part("audio")?.safeFileName == "upload.wav")
        #expect(parsed.text("language") == "en")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }

    @Test func uploadFailingMidPartLeavesNothingOnDisk() async throws {
        let folder = try emptyFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let form = Multipart().file("audio", "a.wav", wavBytes(seconds: 20))
        // 640 044 bytes against a 500 000-byte cap: the part is on disk when the cap trips.
        await #expect(throws: ServerError.uploadTooLarge(limitBytes: 500_000, declaredBytes: nil)) {
            try await MultipartForm.read(self.request(form, chunk: 65536), limitBytes: 500_000, spoolDirectory: folder)
        }
        // Cut off mid-part: the closing boundary never arrives.
        let bytes = Array(form.body.readableBytesView.prefix(400_000))
        let head = HTTPRequest(method: .post, scheme: "http", authority: "localhost", path: "/transcribe", headerFields: form.headers)
        let cut = Request(head: head, body: RequestBody(asyncSequence: AsyncStream { continuation in
            continuation.yield(ByteBuffer(bytes: bytes))
            continuation.finish()
        }))
        await #expect(throws: ServerError.self) {
            try await MultipartForm.read(cut, limitBytes: 1_000_000, spoolDirectory: folder)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }

    @Test func spooledUploadIsTranscribed() async throws {
        let recognizer = FakeRecognizer()
        try await withASR(engines: fakeEngines(recognizer: recognizer)) { client in
            let response = try await client.post("/transcribe", Multipart().file("audio", "long.wav", wavBytes(seconds: 12)))
            #expect(response.status == .ok)
            #expect(number(response.json["duration"]) == 12.0)
        }
        #expect(await recognizer.recorder.seconds == [12.0])
    }
}
