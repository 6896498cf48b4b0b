import Foundation
import Hummingbird
import ScribaAudio
import ScribaFormats
import ScribaPipeline

/// An error as every endpoint reports it: a status and OpenAI's body shape,
/// `{"error": {"message", "type", "param", "code"}}`, so OpenAI clients show the message.
public struct APIError: Error, Sendable, Equatable {
    public var status: HTTPResponse.Status
    /// OpenAI's coarse class: `invalid_request_error` (4xx), `server_error`, `server_busy`.
    public var type: String
    /// A stable machine-readable code ("missing_field", "unknown_language", ...).
    public var code: String
    public var message: String
    /// The request field at fault, when there is one.
    public var param: String?
    /// Sent as `Retry-After` (503s).
    public var retryAfterSeconds: Int?

    public init(status: HTTPResponse.Status, type: String? = nil, code: String, message: String,
                param: String? = nil, retryAfterSeconds: Int? = nil) {
        self.status = status
        self.type = type ?? (status.code < 500 ? "invalid_request_error" : "server_error")
        self.code = code
        self.message = message
        self.param = param
        self.retryAfterSeconds = retryAfterSeconds
    }

    /// The one mapping from anything a handler throws to a status and body.
    public init(_ error: any Error) {
        switch error {
        case let api as APIError:
            self = api
        case let server as ServerError:
            self = APIError.mapping(server)
        case let audio as AudioError:
            self = APIError.mapping(audio)
        case let language as LanguageError:
            self.init(status: .badRequest, code: "unknown_language", message: language.description, param: "language")
        case let format as OutputFormatError:
            self.init(status: .badRequest, code: "invalid_response_format", message: format.description, param: "response_format")
        case PipelineError.noAligner:
            self.init(status: .notImplemented, code: "aligner_not_loaded",
                      message: "this server has no forced aligner loaded: start it with --aligner-model, or use an engine that times words itself (--engine whisper).")
        case PipelineError.diarizationModelsMissing:
            // Not the folder: messages never show server paths.
            self.init(status: .notImplemented, code: "diarization_models_missing",
                      message: "this server has no diarization models installed: run scripts/fetch-diarization-models where scriba serve runs (or point SCRIBA_MODELS_DIR at them), then retry; or send diarize=false.",
                      param: "diarize")
        case is CancellationError:
            self.init(status: .serviceUnavailable, code: "cancelled",
                      message: "the request was cancelled (the client left or the server is shutting down).")
        case let http as any HTTPResponseError:
            let text = (http as? HTTPError)?.body ?? http.status.reasonPhrase
            self.init(status: http.status, code: APIError.code(for: http.status), message: text)
        default:
            // Engine failures: the engine's own description, which names the model problem.
            self.init(status: .internalServerError, code: "engine_failed", message: "transcription failed: \(error)")
        }
    }

    private static func mapping(_ error: ServerError) -> APIError {
        let message = error.description
        switch error {
        case .missingField(let name):
            return APIError(status: .badRequest, code: "missing_field", message: message, param: name)
        case .invalidField(let name, _, _):
            return APIError(status: .badRequest, code: "invalid_value", message: message, param: name)
        case .notMultipart:
            return APIError(status: .unsupportedMediaType, code: "not_multipart", message: message)
        case .malformedMultipart:
            return APIError(status: .badRequest, code: "malformed_multipart", message: message)
        case .uploadTooLarge:
            return APIError(status: .contentTooLarge, code: "upload_too_large", message: message)
        case .uploadStorageFailed:
            return APIError(status: .internalServerError, code: "upload_storage_failed", message: message)
        case .unauthorized:
            // OpenAI's code for a missing or wrong key, so its clients raise AuthenticationError.
            return APIError(status: .unauthorized, code: "invalid_api_key", message: message)
        case .busy(let seconds):
            return APIError(status: .serviceUnavailable, type: "server_busy", code: "server_busy", message: message,
                            retryAfterSeconds: seconds)
        case .notReady(let failure):
            return APIError(status: .serviceUnavailable, code: failure == nil ? "models_loading" : "models_failed",
                            message: message, retryAfterSeconds: failure == nil ? 5 : nil)
        case .notFound:
            return APIError(status: .notFound, code: "not_found", message: message)
        }
    }

    private static func mapping(_ error: AudioError) -> APIError {
        // Messages name the upload by our sanitised name ("upload.mp3"), never by a server path.
        let message = error.description
        switch error {
        case .emptyFile, .emptyAudio:
            return APIError(status: .unprocessableContent, code: "empty_audio", message: message, param: "audio")
        case .notWAV, .ffmpegFailed, .noAudioStream, .unsupportedWAVEncoding:
            return APIError(status: .unsupportedMediaType, code: "unsupported_audio", message: message, param: "audio")
        case .truncatedHeader, .missingChunk, .truncatedData, .invalidFormat, .nonFiniteSamples:
            return APIError(status: .unprocessableContent, code: "invalid_audio", message: message, param: "audio")
        case .ffmpegNotFound:
            return APIError(status: .internalServerError, code: "ffmpeg_missing", message: message)
        case .fileNotFound, .unreadableFile, .writeFailed, .invalidSampleRate:
            return APIError(status: .internalServerError, code: "audio_io_failed", message: message)
        }
    }

    private static func code(for status: HTTPResponse.Status) -> String {
        switch status.code {
        case 404: "not_found"
        case 405: "method_not_allowed"
        case 413: "upload_too_large"
        default: "http_\(status.code)"
        }
    }

    /// The JSON body: `{"error": {"message", "type", "param", "code"}}`.
    public var body: String {
        JSONValue.object([
            ("error", .object([
                ("message", .string(message)), ("type", .string(type)),
                ("param", param.map { .string($0) } ?? .null), ("code", .string(code)),
            ])),
        ]).rendered() + "\n"
    }

    public func response() -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let retryAfterSeconds { headers[.retryAfter] = String(retryAfterSeconds) }
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
