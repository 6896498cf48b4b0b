import Foundation
import ScribaPipeline

/// Request problems the server itself detects (engines, audio and formats have their own error
/// types; `APIError.init(_:)` maps all of them). Each description says what to send instead.
public enum ServerError: Error, Sendable, Equatable {
    /// A required multipart field is absent.
    case missingField(String)
    /// A field is present but its value is not one the endpoint accepts.
    case invalidField(name: String, value: String, expected: String)
    /// The body is not `multipart/form-data` (or has no boundary).
    case notMultipart(contentType: String?)
    /// The multipart body could not be parsed.
    case malformedMultipart(reason: String)
    /// The body is over the configured limit; `declaredBytes` is the Content-Length when sent.
    case uploadTooLarge(limitBytes: Int, declaredBytes: Int?)
    /// The upload could not be spooled to a temporary file (disk full, TMPDIR not writable).
    case uploadStorageFailed(reason: String)
    /// `--api-key` is set and the request's `Authorization: Bearer` is absent or wrong.
    case unauthorized(sentKey: Bool)
    /// Every slot is busy and the wait queue is full.
    case busy(retryAfterSeconds: Int)
    /// Models are still loading (or failed to load: `failure` says why).
    case notReady(failure: String?)
    /// No route for this method and path.
    case notFound(method: String, path: String)
}

extension ServerError: CustomStringConvertible, LocalizedError {
    public var description: String {
        switch self {
        case .missingField(let name):
            return "the multipart field '\(name)' is missing. Send it as form data, e.g. curl -F \(name)=\(name == "audio" || name == "file" ? "@speech.wav" : "...")."
        case .invalidField(let name, let value, let expected):
            return "the field '\(name)' has the value '\(value.prefix(80))', which is not accepted. Use \(expected)."
        case .notMultipart(let contentType):
            return "the request body is \(contentType.map { "'\($0)'" } ?? "sent without a Content-Type"), not multipart/form-data. Upload the audio as a form file, e.g. curl -F audio=@speech.wav."
        case .malformedMultipart(let reason):
            return "the multipart body could not be read (\(reason)). Send a well-formed multipart/form-data request."
        case .uploadTooLarge(let limit, let declared):
            let size = declared.map { " (\($0) bytes)" } ?? ""
            return "the upload\(size) is larger than the server's limit of \(megabytes(limit)) (\(limit) bytes). Send a shorter or compressed file (mp3, m4a, opus), or start the server with a larger --max-upload-mb."
        case .uploadStorageFailed(let reason):
            return "the server could not store the upload in its temporary folder (\(reason)). Free space in TMPDIR or retry later."
        case .unauthorized(let sentKey):
            return sentKey
                ? "incorrect API key provided. Send the key the server was started with (--api-key or SCRIBA_API_KEY) as 'Authorization: Bearer KEY'."
                : "this server requires an API key. Send it as 'Authorization: Bearer KEY' (the key given to scriba serve with --api-key or SCRIBA_API_KEY)."
        case .busy(let seconds):
            return "the server is busy: every transcription slot is in use and the wait queue is full. Retry in \(seconds) s."
        case .notReady(let failure):
            if let failure { return "the models failed to load: \(failure)" }
            return "the models are still loading. Retry when GET /ready answers 200."
        case .notFound(let method, let path):
            return "no endpoint \(method) \(path). See GET /health; the ASR port serves POST /transcribe and POST /v1/audio/transcriptions, the aligner port POST /align."
        }
    }

    public var errorDescription: String? { description }
}

private func megabytes(_ bytes: Int) -> String {
    let value = Double(bytes) / 1_048_576
    return value >= 10 ? "\(Int(value.rounded())) MB" : String(format: "%.1f MB", value)
}
