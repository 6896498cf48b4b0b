import Foundation
import Hummingbird
import Synchronization
import Testing
import ScribaAudio
@testable import ScribaPipeline
import ScribaTestSupport

/// Counts requests and answers from a script of statuses (the last one repeats).
final class ScriptedService: Sendable {
    let statuses: [Int]
    let body: String
    private let count = Mutex(0)
    private let lastForm = Mutex("")

    init(statuses: [Int], body: String) {
        self.statuses = statuses
        self.body = body
    }

    var requests: Int { count.withLock { $0 } }
    var lastRequestBody: String { lastForm.withLock { $0 } }

    func answer(_ request: Request) async throws -> Response {
        let bytes = try await request.body.collect(upTo: 10 << 20)
        lastForm.withLock { $0 = String(decoding: bytes.readableBytesView, as: UTF8.self) }
        let index = count.withLock { value in defer { value += 1 }; return value }
        let status = statuses[min(index, statuses.count - 1)]
        let text = status == 200 ? body : #"{"error":{"message":"scripted \#(status)","type":"test","code":\#(status)}}"#
        return Response(status: .init(code: status), headers: [.contentType: "application/json"],
                        body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

/// Runs `body` with a local service on a free port whose routes all answer through `service`.
func withService(_ service: ScriptedService, _ body: @Sendable (String) async throws -> Void) async throws {
    let router = Router()
    for path in ["transcribe", "align", "v1/audio/transcriptions", "pooling"] {
        router.post(RouterPath(stringLiteral: path)) { request, _ in try await service.answer(request) }
    }
    try await withServer(router, body)
}

/// Runs `body` with `router` served on a free loopback port (its base URL passed in).
func withServer(_ router: Router<BasicRequestContext>, _ body: @Sendable (String) async throws -> Void) async throws {
    let (portStream, portContinuation) = AsyncStream.makeStream(of: Int.self)
    let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                          onServerRunning: { channel in portContinuation.yield(channel.localAddress?.port ?? 0) })
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await app.runService(gracefulShutdownSignals: []) }
        var ports = portStream.makeAsyncIterator()
        let port = await ports.next() ?? 0
        try await body("http://127.0.0.1:\(port)")
        group.cancelAll()
    }
}

struct RemoteEngineTests {
    let audio = AudioBuffer(samples: (0..<1600).map { Float($0 % 50) / 100 }, sampleRate: 16_000)
    let fast = RetryPolicy(retries: 3, baseDelay: 0.01, maxDelay: 0.05)

    @Test func retriesA503AndThenReadsTheAnswer() async throws {
        let service = ScriptedService(statuses: [503, 503, 200],
                                      body: #"{"text":" Hello there. ","language":"en","duration":0.1}"#)
        try await withService(service) { url in
            let recognizer = try RemoteRecognizer(baseURL: url, retry: fast)
            let recognition = try await recognizer.transcribe(audio, options: .init(language: Language.known[1], context: "names"))
            #expect(recognition.text == "Hello there.")
            #expect(recognition.language == "en")
            #expect(recognition.segments.map(\.end) == [0.1])
        }
        #expect(service.requests == 3)
        // The multipart form carried the audio as WAV and the fields.
        #expect(service.lastRequestBody.contains(#"name="audio"; filename="chunk.wav""#))
        #expect(service.lastRequestBody.contains("RIFF"))
        #expect(service.lastRequestBody.contains("name=\"language\"\r\n\r\nen\r\n"))
        #expect(service.lastRequestBody.contains("name=\"context\"\r\n\r\nnames\r\n"))
    }

    @Test func a400IsNeverRetried() async throws {
        let service = ScriptedService(statuses: [400, 200], body: #"{"text":"x"}"#)
        try await withService(service) { url in
            let recognizer = try RemoteRecognizer(baseURL: url, retry: fast)
            await #expect(throws: RemoteEngineError.rejected(url: url + "/transcribe", status: 400, message: "scripted 400")) {
                _ = try await recognizer.transcribe(audio, options: .init())
            }
        }
        #expect(service.requests == 1)
    }

    @Test func persistent5xxFailsAfterRetriesPlusOneAttempts() async throws {
        let service = ScriptedService(statuses: [502], body: "")
        try await withService(service) { url in
            let aligner = try RemoteAligner(baseURL: url, retry: RetryPolicy(retries: 2, baseDelay: 0.01, maxDelay: 0.02))
            await #expect(throws: RemoteEngineError.serverError(url: url + "/align", status: 502, message: "scripted 502")) {
                _ = try await aligner.align(audio, text: "hello", language: Language.known[1])
            }
        }
        #expect(service.requests == 3)
    }

    @Test func alignerDecodesWordsInSeconds() async throws {
        let service = ScriptedService(statuses: [200], body: #"""
            {"words":[{"word":"hello","start":0.12,"end":0.48},{"word":"world","start":0.5,"end":0.91}],
             "sentences":[{"text":"hello world","start":0.12,"end":0.91}],"duration":0.1}
            """#)
        try await withService(service) { url in
            let aligner = try RemoteAligner(baseURL: url + "/align", retry: fast)
            let words = try await aligner.align(audio, text: "Hello, world!", language: Language.known[1])
            #expect(words == [TimedWord(text: "hello", start: 0.12, end: 0.48), TimedWord(text: "world", start: 0.5, end: 0.91)])
        }
        #expect(service.lastRequestBody.contains("name=\"text\"\r\n\r\nHello, world!\r\n"))
    }

    @Test func connectionRefusedIsRetriedThenReported() async throws {
        // Port 9 (discard) on loopback: nothing listens there in the test environment.
        let recognizer = try RemoteRecognizer(baseURL: "http://127.0.0.1:9", retry: RetryPolicy(retries: 1, baseDelay: 0.01, maxDelay: 0.01))
        let attempts = Locked(0)
        do {
            _ = try await recognizer.client.retry.run(onRetry: { _, _ in attempts.withLock { $0 += 1 } }) {
                try await recognizer.client.post([.text("language", "auto")])
            }
            Issue.record("expected a connection failure")
        } catch let error as RemoteEngineError {
            guard case .connectionFailed = error else { Issue.record("got \(error)"); return }
        }
        #expect(attempts.withLock { $0 } == 1)
    }

    @Test func badURLsAreRejectedWithAHint() {
        #expect(throws: RemoteEngineError.invalidURL("localhost:7861")) { try RemoteRecognizer(baseURL: "localhost:7861") }
        #expect((try? RemoteRecognizer(baseURL: "http://h:7861/"))?.endpoint.absoluteString == "http://h:7861/transcribe")
    }

    @Test func backoffDoublesAndStaysWithinJitterBounds() {
        let policy = RetryPolicy(retries: 5, baseDelay: 0.5, maxDelay: 3)
        var rng = SplitMix64(seed: 1)
        for attempt in 0..<6 {
            let ceiling = min(3, 0.5 * pow(2, Double(attempt)))
            for _ in 0..<50 {
                let delay = policy.delay(beforeRetry: attempt, using: &rng)
                #expect(delay >= ceiling / 2 && delay <= ceiling)
            }
        }
    }
}
