import Foundation
import HummingbirdWebSocket
import Logging
import NIOWebSocket
import ScribaPipeline

// One `/v1/realtime` connection: events in, a live session per utterance (from the first append
// or commit to the final commit), deltas out. Misbehaving clients get a close code, not a hang:
// 1007 for frames that are not JSON events, 1009 (the WebSocket layer) for oversized messages,
// 1008 after `idleTimeoutSeconds` of silence, 1013 when every stream slot is taken, 1011 when the
// engine fails. A client that never reads is dropped by the auto-ping (no pong).

struct RealtimeConnection {
    let engines: EngineHost
    let limits: RealtimeLimits
    let slots: StreamSlots
    let logger: Logger

    /// WebSocket close codes this endpoint uses beyond the named ones.
    static let tryAgainLater = WebSocketErrorCode(codeNumber: 1013)

    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async {
        let activity = Activity()
        let out = RealtimeOutbound(outbound, activity: activity)
        guard await slots.acquire(capacity: limits.maxStreams) else {
            await out.close(Self.tryAgainLater, code: "too_many_streams",
                            message: "All \(limits.maxStreams) live streams are in use (--max-streams). Retry later.")
            return
        }
        let watchdog = Task { [limits] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(250))
                if await activity.idleSeconds > limits.idleTimeoutSeconds {
                    await out.close(.policyViolation, code: "idle_timeout",
                                    message: "Nothing received for \(Int(limits.idleTimeoutSeconds)) s; the stream is closed. Send audio or commit at least that often.")
                    return
                }
            }
        }
        await out.send(RealtimeServerEvent.sessionCreated(id: "sess-" + UUID().uuidString.lowercased(), created: Int(Date().timeIntervalSince1970)))
        var state = UtteranceState()
        do {
            for try await message in inbound.messages(maxSize: limits.maxMessageBytes) {
                await activity.touch()
                guard case .text(let text) = message else {
                    await out.close(.unacceptableData, code: "invalid_frame", message: "Binary frames are not events: send JSON text events (audio as base64 in input_audio_buffer.append).")
                    break
                }
                let event: RealtimeClientEvent
                do {
                    event = try RealtimeClientEvent(json: text)
                } catch {
                    if error.code == "invalid_audio" {
                        // vLLM answers bad audio with an error and keeps the stream.
                        await out.send(RealtimeServerEvent.error(error.message, code: error.code))
                        continue
                    }
                    await out.close(.dataInconsistentWithMessage, code: error.code, message: error.message)
                    break
                }
                guard await handle(event, state: &state, out: out) else { break }
            }
        } catch {
            logger.debug("realtime connection ended", metadata: ["error": .string("\(error)")])
        }
        watchdog.cancel()
        state.utterance?.input.finish()
        state.utterance?.task.cancel()
        await slots.release()
    }

    /// Applies one event; false when the connection was closed.
    private func handle(_ event: RealtimeClientEvent, state: inout UtteranceState, out: RealtimeOutbound) async -> Bool {
        switch event {
        case .sessionUpdate(_, let language, let partials):
            state.modelValidated = true
            state.partials = partials
            if let language {
                do {
                    state.language = try Language.parse(language)
                } catch {
                    await out.send(RealtimeServerEvent.error("\(error)", code: "invalid_language"))
                }
            }
        case .append(let samples):
            guard let utterance = await state.utteranceStarting(self, out: out) else { return false }
            utterance.input.yield(samples)
        case .commit(let final):
            guard state.modelValidated else {
                await out.send(RealtimeServerEvent.error(
                    "Model not validated. Make sure to validate the model by sending a session.update event.", code: "model_not_validated"))
                return true
            }
            guard let utterance = await state.utteranceStarting(self, out: out) else { return false }
            if final {
                utterance.input.finish()
                state.finishing = utterance
                state.utterance = nil
            }
        case .unknown(let type):
            await out.send(RealtimeServerEvent.error("Unknown event type: \(type)", code: "unknown_event"))
        }
        return true
    }

    /// Starts decoding one utterance: a live session over the served engine, stepping on the
    /// engine threads, sending deltas (and partials when asked) until the final commit.
    func startUtterance(language: Language?, partials: Bool, out: RealtimeOutbound) async -> Utterance? {
        let session: any StreamingSession
        do {
            guard let recognizer = try await engines.readyPipeline().recognizer else { throw PipelineError.noRecognizer }
            session = try StreamingSessions.make(recognizer: recognizer, options: StreamingOptions(language: language))
        } catch ServerError.notReady(let failure) {
            await out.close(Self.tryAgainLater, code: "not_ready", message: "\(ServerError.notReady(failure: failure))")
            return nil
        } catch {
            await out.close(.policyViolation, code: "streaming_unsupported", message: "\(error)")
            return nil
        }
        let (audio, input) = AsyncStream.makeStream(of: [Float].self)
        let executor = engines.executor
        let task = Task {
            let text = DeltaText()
            do {
                let transcript = try await withTaskExecutorPreference(executor) {
                    try await StreamingRunner.run(session: session, audio: audio) { event, _ in
                        switch event {
                        case .committed(let words):
                            await out.send(RealtimeServerEvent.delta(await text.append(words.map(\.text)), words: words))
                        case .partial(let tail):
                            if partials { await out.send(RealtimeServerEvent.partial(tail)) }
                        case .final:
                            break
                        }
                    }
                }
                await out.send(RealtimeServerEvent.done(transcript))
            } catch is CancellationError {
            } catch {
                await out.close(.unexpectedServerError, code: "processing_error", message: "\(error)")
            }
        }
        return Utterance(input: input, task: task)
    }
}

/// What a connection holds between events.
struct UtteranceState {
    var modelValidated = false
    var partials = false
    var language: Language?
    var utterance: Utterance?
    /// The utterance whose final commit came; its `done` is still being made.
    var finishing: Utterance?

    /// The open utterance, started now if there is none (after the previous one's `done`).
    mutating func utteranceStarting(_ connection: RealtimeConnection, out: RealtimeOutbound) async -> Utterance? {
        if let utterance { return utterance }
        if let finishing {
            await finishing.task.value
            self.finishing = nil
        }
        utterance = await connection.startUtterance(language: language, partials: partials, out: out)
        return utterance
    }
}

struct Utterance {
    let input: AsyncStream<[Float]>.Continuation
    let task: Task<Void, Never>
}

/// When the client last sent anything or was last sent something: a client that listens to a
/// long final decode is not idle.
actor Activity {
    private var last = ContinuousClock.now
    func touch() { last = .now }
    var idleSeconds: Double { (ContinuousClock.now - last) / .seconds(1) }
}

/// Serialises writes from the reading loop and the decoding task; after a close, sends nothing.
actor RealtimeOutbound {
    private let writer: WebSocketOutboundWriter
    private let activity: Activity
    private var closed = false

    init(_ writer: WebSocketOutboundWriter, activity: Activity) {
        self.writer = writer
        self.activity = activity
    }

    func send(_ text: String) async {
        guard !closed else { return }
        do {
            try await writer.write(.text(text))
            await activity.touch()
        } catch {
            closed = true
        }
    }

    /// An `error` event saying why, then the close frame with `closeCode`.
    func close(_ closeCode: WebSocketErrorCode, code: String, message: String) async {
        guard !closed else { return }
        try? await writer.write(.text(RealtimeServerEvent.error(message, code: code)))
        closed = true
        // The close reason must fit a control frame (125 bytes).
        try? await writer.close(closeCode, reason: String(code.prefix(120)))
    }
}
