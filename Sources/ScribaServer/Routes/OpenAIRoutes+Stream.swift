import Hummingbird
import ScribaFormats
import ScribaPipeline

// `stream=true` on `POST /v1/audio/transcriptions`: OpenAI's Server-Sent Events for streamed
// transcriptions, `data: {"type": "transcript.text.delta", "delta": …}` as each stretch of the file
// is settled, then `data: {"type": "transcript.text.done", "text": …}`. Failures after the stream
// started arrive as `data: {"type": "error", …}` (the status line was already sent).
extension OpenAIRoutes {
    func streamed(_ input: TranscriptionRequest) async throws -> Response {
        // Loading models are still a 503, before the stream starts.
        _ = try await engines.readyPipeline()
        let engines = engines
        let body = ResponseBody { writer in
            let (events, continuation) = AsyncStream.makeStream(of: ByteBuffer.self)
            let work = Task {
                let text = DeltaText()
                do {
                    let transcript = try await engines.transcribe(input.file, options: input.options) { segments in
                        let delta = await text.append(segments.map(\.text))
                        if !delta.isEmpty {
                            continuation.yield(Self.event(.object([("type", .string("transcript.text.delta")), ("delta", .string(delta))])))
                        }
                    }
                    continuation.yield(Self.event(.object([("type", .string("transcript.text.done")), ("text", .string(transcript.text))])))
                } catch {
                    let failure = APIError(error)
                    continuation.yield(Self.event(.object([
                        ("type", .string("error")),
                        ("error", .object([("message", .string(failure.message)), ("code", .int(Int(failure.status.code)))])),
                    ])))
                }
                continuation.finish()
            }
            do {
                for await event in events { try await writer.write(event) }
                try await writer.finish(nil)
            } catch {
                // The client left: stop decoding for it.
                work.cancel()
                throw error
            }
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: body)
    }

    static func event(_ value: JSONValue) -> ByteBuffer {
        ByteBuffer(string: "data: " + value.compact() + "\n\n")
    }
}
