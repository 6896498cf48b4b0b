import Foundation

/// Failures talking to a Scriba ASR or aligner service.
public enum RemoteEngineError: Error, Equatable, Sendable {
    case invalidURL(String)
    /// No HTTP answer: refused, unreachable, timed out.
    case connectionFailed(url: String, reason: String)
    /// 5xx: the service failed or is overloaded.
    case serverError(url: String, status: Int, message: String)
    /// 4xx: the service refused this request (bad audio, unknown language, too large).
    case rejected(url: String, status: Int, message: String)
    /// An answer that is not the JSON the service documents.
    case invalidResponse(url: String, reason: String)
    /// No answer within the timeout (`--remote-timeout`).
    case timedOut(url: String, seconds: Double)
    /// Every endpoint of a pool failed again and again (`EndpointPool`): the batch stops, keeping
    /// what it finished, so a rerun resumes.
    case allEndpointsDown(endpoints: [String], lastError: String)
    /// The service at `url` is not of the kind `--asr-api`/`--align-api` (or detection) says.
    case unsupportedService(url: String, reason: String)

    /// Whether another attempt may succeed.
    public var isRetryable: Bool {
        switch self {
        case .connectionFailed, .serverError, .timedOut: true
        case .invalidURL, .rejected, .invalidResponse, .allEndpointsDown, .unsupportedService: false
        }
    }

    /// Whether the whole batch must stop rather than mark one chunk failed.
    public var stopsBatch: Bool {
        if case .allEndpointsDown = self { return true }
        return false
    }
}

extension RemoteEngineError: LocalizedError, CustomStringConvertible {
    public var description: String {
        switch self {
        case .invalidURL(let text):
            return "'\(text)' is not an http(s) URL; pass the service's base address, e.g. --asr-url http://127.0.0.1:7861."
        case .connectionFailed(let url, let reason):
            return "could not reach \(url): \(reason). Is `scriba serve` running there? Check the address and port."
        case .serverError(let url, let status, let message):
            return "\(url) failed with HTTP \(status)\(message.isEmpty ? "" : ": \(message)"). The service may be overloaded; try again later or raise --retries."
        case .rejected(let url, let status, let message):
            return "\(url) refused the request with HTTP \(status)\(message.isEmpty ? "" : ": \(message)")."
        case .timedOut(let url, let seconds):
            return "\(url) did not answer within \(seconds) s. The service may be busy or the audio long; raise --remote-timeout or --retries, or pass a shorter --max-chunk-seconds."
        case .allEndpointsDown(let endpoints, let lastError):
            let last = lastError.hasSuffix(".") ? String(lastError.dropLast()) : lastError
            return "every endpoint is down (\(endpoints.joined(separator: ", "))); last error: \(last). Finished files are saved; start the services again and rerun the same command to resume."
        case .unsupportedService(let url, let reason):
            return "\(url): \(reason)"
        case .invalidResponse(let url, let reason):
            return "\(url) answered with something that is not a Scriba response (\(reason)); check that the URL points at a Scriba service."
        }
    }
    public var errorDescription: String? { description }
}
