import Foundation
import Hummingbird
import HummingbirdTesting
import HummingbirdWSClient
import Logging
import NIOWebSocket
import ScribaAudio
import ScribaPipeline
import Testing
@testable import ScribaServer

/// Hears word i ("w0", "w1", …; every fourth ends a sentence) once its span 0.5 i + 0.1 ...
/// 0.5 i + 0.4 s lies inside the audio it is given; streams here stay under the 15 s trim, so the
/// buffer always starts at the stream's start.
private struct CountingWordsRecognizer: WordTimingRecognizer {
    let modelName = "fake-live"
    let maxChunkDuration = 30.0

    func transcribe(_ audio: AudioBuffer, options: RecognitionOptions) async throws -> Recognition {
        var words: [TimedWord] = []
        for i in 0..<40 {
            let start = 0.5 * Double(i) + 0.1
            guard start + 0.3 <= audio.duration else { break }
            words.append(TimedWord(text: "w\(i)" + (i % 4 == 3 ? "." : ""), start: start, end: start + 0.3))
        }
        let text = words.map { $0.text }.joined(separator: " ")
        return Recognition(language: "en", text: text, segments: words.isEmpty ? [] : [TranscriptSegment(start: 0, end: audio.duration, text: text, words: words)])
    }
}

/// What a client written to vLLM's realtime docs saw: every event (JSON text), and the close frame.
struct ClientLog: Sendable {
    var texts: [String] = []
    var close: WebSocketCloseFrame?
    var events: [[String: Any]] {
        texts.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }
    func of(_ type: String) -> [[String: Any]] { events.filter { $0["type"] as? String == type } }
}

@Suite struct RealtimeRoutesTests {
    static func app(limits: RealtimeLimits = .init(), engines: EngineHost? = nil) -> ScribaApplication {
        let configuration = ServerConfiguration(host: "127.0.0.1", port: 0, realtime: limits)
        let host = engines ?? EngineHost(recognizer: CountingWordsRecognizer(), aligner: nil,
                                         limiter: ConcurrencyLimiter(maxConcurrent: 2, maxQueued: 4, retryAfterSeconds: 1))
        return buildASRApplication(configuration: configuration, engines: host, logger: testLogger)
    }

    /// `seconds` of quiet PCM16 at 16 kHz, base64, as one append event.
    static func append(seconds: Double) -> String {
        let bytes = [UInt8](repeating: 0, count: Int(seconds * 16_000) * 2)
        return #"{"type": "input_audio_buffer.append", "audio": "\#(Data(bytes).base64EncodedString())"}"#
    }

    /// Connects, runs `send` (messages to write, with pauses), and reads until the server closes
    /// or `transcription.done` arrives.
    static func run(port: Int, onText: (@Sendable (String) async -> Void)? = nil,
                    _ send: @escaping @Sendable (WebSocketOutboundWriter) async throws -> Void) async throws -> ClientLog {
        let collected = Collected()
        let close = try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/v1/realtime", logger: testLogger) { inbound, outbound, _ in
            let writer = Task { try await send(outbound) }
            defer { writer.cancel() }
            for try await message in inbound.messages(maxSize: 1 << 20) {
                guard case .text(let text) = message else { continue }
                await collected.add(text)
                await onText?(text)
                if text.contains(#""type": "transcription.done""#) {
                    try await outbound.close(.normalClosure, reason: nil)
                    return
                }
            }
        }
        return ClientLog(texts: await collected.texts, close: close)
    }

    /// The documented order: session.update, commit, appends, final commit.
    static let fiveSecondStream: @Sendable (WebSocketOutboundWriter) async throws -> Void = { out in
        try await out.write(.text(#"{"type": "session.update", "model": "any-model-name"}"#))
        try await out.write(.text(#"{"type": "input_audio_buffer.commit"}"#))
        for _ in 0..<10 {
            try await out.write(.text(append(seconds: 0.5)))
            try await Task.sleep(for: .milliseconds(20))
        }
        try await out.write(.text(#"{"type": "input_audio_buffer.commit", "final": true}"#))
    }

    static let expectedText = "w0 w1 w2 w3. w4 w5 w6 w7. w8 w9"

    @Test func aStreamGetsDeltasThatAddUpToDone() async throws {
        try await Self.app().test(.live) { client in
            let session = try await Self.run(port: try #require(client.port), Self.fiveSecondStream)
            let created = try #require(session.events.first)
            #expect(created["type"] as? String == "session.created")
            #expect((created["id"] as? String)?.hasPrefix("sess-") == true && created["created"] is Int)
            let deltas = session.of("transcription.delta")
            #expect(!deltas.isEmpty)
            let done = try #require(session.of("transcription.done").first)
            #expect(done["text"] as? String == Self.expectedText)
            #expect(deltas.compactMap { $0["delta"] as? String }.joined() == Self.expectedText)
            // Scriba's extra: word times on every delta.
            let words: [[String: Any]] = deltas.flatMap { delta -> [[String: Any]] in delta["words"] as? [[String: Any]] ?? [] }
            #expect(words.count == 10)
            #expect(words.first?["start"] as? Double == 0.1 && words.last?["end"] as? Double == 4.9)
            #expect(session.of("error").isEmpty)
            // Partials only when asked for.
            #expect(session.of("transcription.partial").isEmpty)
        }
    }

    @Test func severalStreamsAtOnceEachGetTheirText() async throws {
        try await Self.app(limits: RealtimeLimits(maxStreams: 3)).test(.live) { client in
            let port = try #require(client.port)
            var sessions: [ClientLog] = []
            try await withThrowingTaskGroup(of: ClientLog.self) { group in
                for _ in 0..<3 { group.addTask { try await Self.run(port: port, Self.fiveSecondStream) } }
                for try await session in group { sessions.append(session) }
            }
            #expect(sessions.count == 3)
            for session in sessions {
                #expect(session.of("transcription.done").first?["text"] as? String == Self.expectedText)
            }
        }
    }

    @Test func oneStreamPastTheLimitIsClosedWith1013AndTheServerStaysUp() async throws {
        try await Self.app(limits: RealtimeLimits(maxStreams: 1)).test(.live) { client in
            let port = try #require(client.port)
            // The holder keeps its slot (the server has sent session.created) until the refused
            // client is done: no fixed sleeps, so a loaded machine cannot reorder the two.
            let gate = SlotGate()
            let holder = Task {
                try await Self.run(port: port, onText: { text in
                    if text.contains("session.created") { await gate.hold() }
                }) { out in
                    try await out.write(.text(#"{"type": "session.update", "model": "m"}"#))
                    try await gate.waitForRelease()
                    try await out.close(.normalClosure, reason: nil)
                }
            }
            try await gate.waitForHold()
            let refused = try await Self.run(port: port) { _ in }
            await gate.release()
            #expect(refused.close?.closeCode == WebSocketErrorCode(codeNumber: 1013))
            #expect(refused.of("error").first?["code"] as? String == "too_many_streams")
            _ = try await holder.value
            // The slot is free again.
            let later = try await Self.run(port: port, Self.fiveSecondStream)
            #expect(later.of("transcription.done").first?["text"] as? String == Self.expectedText)
        }
    }

    @Test func garbageFramesAreClosedWith1007Or1003() async throws {
        try await Self.app().test(.live) { client in
            let port = try #require(client.port)
            let text = try await Self.run(port: port) { out in try await out.write(.text("this is not json {")) }
            #expect(text.close?.closeCode == .dataInconsistentWithMessage)
            #expect(text.of("error").first?["code"] as? String == "invalid_json")
            let binary = try await Self.run(port: port) { out in try await out.write(.binary(ByteBuffer(bytes: [0, 1, 2, 3]))) }
            #expect(binary.close?.closeCode == .unacceptableData)
            // Bad audio is an error event, as in vLLM, and the stream goes on.
            let badAudio = try await Self.run(port: port) { out in
                try await out.write(.text(#"{"type": "input_audio_buffer.append", "audio": "***"}"#))
                try await Self.fiveSecondStream(out)
            }
            #expect(badAudio.of("error").first?["code"] as? String == "invalid_audio")
            #expect(badAudio.of("transcription.done").first?["text"] as? String == Self.expectedText)
            // Commit before session.update: vLLM's error, the connection stays.
            let early = try await Self.run(port: port) { out in
                try await out.write(.text(#"{"type": "input_audio_buffer.commit"}"#))
                try await Self.fiveSecondStream(out)
            }
            #expect(early.of("error").first?["code"] as? String == "model_not_validated")
            #expect(early.of("transcription.done").count == 1)
        }
    }

    @Test func anOversizedMessageIsClosedWith1009() async throws {
        try await Self.app(limits: RealtimeLimits(maxMessageBytes: 30_000)).test(.live) { client in
            let port = try #require(client.port)
            let session = try await Self.run(port: port) { out in
                try await out.write(.text(#"{"type": "session.update", "model": "m"}"#))
                try await out.write(.text(Self.append(seconds: 1)))  // 43 kB of base64; the 0.5 s appends below are 21 kB
            }
            #expect(session.close?.closeCode == .messageTooLarge)
            let after = try await Self.run(port: port, Self.fiveSecondStream)
            #expect(after.of("transcription.done").count == 1)
        }
    }

    /// The client never closes (its reader ends only when the server does), so the close is the
    /// server's; the time limit turns a server that never closes into a failure, not a hang. No
    /// upper bound on the wall time: CI runs every suite at once, and a starved pool can delay the
    /// close by tens of seconds without anything being wrong.
    @Test(.timeLimit(.minutes(3))) func aClientThatStopsMidStreamIsClosedWith1008() async throws {
        try await Self.app(limits: RealtimeLimits(idleTimeoutSeconds: 1)).test(.live) { client in
            let port = try #require(client.port)
            let stamps = Stamps()
            let session = try await Self.run(port: port, onText: { text in
                if text.contains(#""idle_timeout""#) { await stamps.mark("error") }
            }) { out in
                try await out.write(.text(#"{"type": "session.update", "model": "m"}"#))
                try await out.write(.text(#"{"type": "input_audio_buffer.commit"}"#))
                await stamps.mark("lastSent")  // before the write, so the server's receipt is later
                try await out.write(.text(Self.append(seconds: 0.5)))
                // …and then nothing, with the connection left open.
                try await Task.sleep(for: .seconds(3_600))
            }
            #expect(session.close?.closeCode == .policyViolation)
            #expect(session.of("error").last?["code"] as? String == "idle_timeout")
            // The idle timeout counts from the last message, so it can't fire before a second of silence.
            let idle = try #require(await stamps.between("lastSent", "error"))
            #expect(idle >= .milliseconds(900), "closed after \(idle) of silence, before the 1 s idle timeout")
        }
    }
}

/// When named moments of a test happened.
private actor Stamps {
    private var at: [String: ContinuousClock.Instant] = [:]
    func mark(_ name: String) { at[name] = at[name] ?? ContinuousClock.now }
    func between(_ first: String, _ second: String) -> Duration? {
        guard let a = at[first], let b = at[second] else { return nil }
        return b - a
    }
}

private actor Collected {
    var texts: [String] = []
    func add(_ text: String) { texts.append(text) }
}

/// Orders two clients of one test: the first holds a stream slot until the second is done.
private actor SlotGate {
    private var held = false
    private var released = false

    func hold() { held = true }
    func release() { released = true }

    func waitForHold() async throws { try await wait { await self.held } }
    func waitForRelease() async throws { try await wait { await self.released } }

    /// Polls `condition` for up to 60 s, so a broken server fails the test instead of hanging it.
    private nonisolated func wait(_ condition: @Sendable () async -> Bool) async throws {
        for _ in 0..<3_000 where !(await condition()) { try await Task.sleep(for: .milliseconds(20)) }
        #expect(await condition(), "the other client never reached its point")
    }
}
