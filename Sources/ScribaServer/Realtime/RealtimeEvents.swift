import Foundation
import ScribaAudio
import ScribaFormats
import ScribaPipeline

// vLLM's realtime transcription protocol (vllm/entrypoints/openai/realtime/protocol.py and
// connection.py): the client sends `session.update` {model}, `input_audio_buffer.append` {audio:
// base64 PCM16}, `input_audio_buffer.commit` (with `final: true` when the audio ends); the server
// sends `session.created` {id, created}, `transcription.delta` {delta}, `transcription.done`
// {text, usage} and `error` {error, code}. Scriba adds fields vLLM's clients ignore: `words` (times)
// on deltas, and `transcription.partial` {text} when `session.update` asks for `partials`.

/// One event a client sent.
enum RealtimeClientEvent: Equatable {
    /// `model` is accepted whatever it names (the served engine answers); `language` is optional.
    case sessionUpdate(model: String?, language: String?, partials: Bool)
    case append(samples: [Float])
    case commit(final: Bool)
    case unknown(type: String)

    /// Why a message is not an event; the `code` is the one vLLM sends for it.
    struct Invalid: Error, Equatable {
        var code: String
        var message: String
    }

    init(json text: String) throws(Invalid) {
        guard let data = text.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw Invalid(code: "invalid_json", message: "Invalid JSON: every message is one JSON object with a \"type\".")
        }
        guard let type = object["type"] as? String else {
            throw Invalid(code: "invalid_json", message: "The event has no \"type\" string.")
        }
        switch type {
        case "session.update":
            // vLLM puts `model` at the top; OpenAI's own API nests settings in `session`.
            let session = object["session"] as? [String: Any] ?? [:]
            self = .sessionUpdate(model: object["model"] as? String ?? session["model"] as? String,
                                  language: object["language"] as? String ?? session["language"] as? String,
                                  partials: object["partials"] as? Bool ?? session["partials"] as? Bool ?? false)
        case "input_audio_buffer.append":
            guard let base64 = object["audio"] as? String, let bytes = Data(base64Encoded: base64) else {
                throw Invalid(code: "invalid_audio", message: "Invalid audio data: \"audio\" must be base64 of PCM16 little-endian 16 kHz mono.")
            }
            guard !bytes.isEmpty, bytes.count % 2 == 0 else {
                throw Invalid(code: "invalid_audio", message: "Invalid audio data: \(bytes.count) bytes is not a whole number of 16-bit samples.")
            }
            self = .append(samples: PCM16.samples(littleEndian: [UInt8](bytes)))
        case "input_audio_buffer.commit":
            self = .commit(final: object["final"] as? Bool ?? false)
        default:
            self = .unknown(type: type)
        }
    }
}

/// The server's events, as JSON text.
enum RealtimeServerEvent {
    static func sessionCreated(id: String, created: Int) -> String {
        JSONValue.object([("type", .string("session.created")), ("id", .string(id)), ("created", .int(created))]).compact()
    }

    static func delta(_ text: String, words: [TimedWord]) -> String {
        JSONValue.object([
            ("type", .string("transcription.delta")), ("delta", .string(text)),
            ("words", .array(words.map { .object([("word", .string($0.text)), ("start", .seconds($0.start)), ("end", .seconds($0.end))]) })),
        ]).compact()
    }

    static func partial(_ text: String) -> String {
        JSONValue.object([("type", .string("transcription.partial")), ("text", .string(text))]).compact()
    }

    /// Token counts are vLLM's; Scriba's engines do not report them, so `usage` is null (which
    /// vLLM's schema allows) and the audio's length is given instead.
    static func done(_ transcript: Transcript) -> String {
        JSONValue.object([
            ("type", .string("transcription.done")), ("text", .string(transcript.text)), ("usage", .null),
            ("language", .string(transcript.language)), ("duration", .seconds(transcript.duration)),
        ]).compact()
    }

    static func error(_ message: String, code: String) -> String {
        JSONValue.object([("type", .string("error")), ("error", .string(message)), ("code", .string(code))]).compact()
    }
}
