import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One multipart/form-data POST with retries, shared by the remote recogniser and aligner.
struct RemoteHTTPClient: Sendable {
    let endpoint: URL
    let retry: RetryPolicy
    /// Seconds to wait for one answer; long audio on a slow server takes a while.
    let timeout: Double

    /// A form field: text, or a file with its name and media type.
    struct Field: Sendable {
        var name: String
        var value: Data
        var fileName: String?
        var contentType: String?

        static func text(_ name: String, _ value: String) -> Field { Field(name: name, value: Data(value.utf8)) }
    }

    /// Validates `text` as an http(s) base URL and appends `path` ("transcribe",
    /// "v1/audio/transcriptions") unless it already ends with it; a base ending in `/v1` (the OpenAI
    /// clients' convention) loses it first when `path` starts with it.
    static func endpoint(_ text: String, path: String) throws -> URL {
        guard var url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              url.host != nil else { throw RemoteEngineError.invalidURL(text) }
        let trimmed = url.path.hasSuffix("/") ? String(url.path.dropLast()) : url.path
        if trimmed.hasSuffix("/" + path) || trimmed == path { return url }
        if path.hasPrefix("v1/"), url.lastPathComponent == "v1" { url.deleteLastPathComponent() }
        for component in path.split(separator: "/") { url.appendPathComponent(String(component)) }
        return url
    }

    /// The service's base address: `endpoint(text, path: "")` without a path of its own.
    static func base(_ text: String) throws -> URL {
        guard var url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              url.host != nil else { throw RemoteEngineError.invalidURL(text) }
        for suffix in ["transcribe", "align", "pooling", "v1/audio/transcriptions", "v1"] {
            let trimmed = url.path.hasSuffix("/") ? String(url.path.dropLast()) : url.path
            if trimmed.hasSuffix("/" + suffix) {
                for _ in suffix.split(separator: "/") { url.deleteLastPathComponent() }
            }
        }
        return url
    }

    static func body(_ fields: [Field], boundary: String) -> Data {
        var data = Data()
        for field in fields {
            data.append(Data("--\(boundary)\r\n".utf8))
            var disposition = "Content-Disposition: form-data; name=\"\(field.name)\""
            if let fileName = field.fileName { disposition += "; filename=\"\(fileName)\"" }
            data.append(Data((disposition + "\r\n").utf8))
            if let type = field.contentType { data.append(Data("Content-Type: \(type)\r\n".utf8)) }
            data.append(Data("\r\n".utf8))
            data.append(field.value)
            data.append(Data("\r\n".utf8))
        }
        data.append(Data("--\(boundary)--\r\n".utf8))
        return data
    }

    /// POSTs the form and returns the 2xx body; 4xx/5xx and transport failures become
    /// `RemoteEngineError`s (5xx and transport ones retried per `retry`).
    func post(_ fields: [Field]) async throws -> Data {
        let boundary = "scriba-\(UUID().uuidString)"
        return try await perform(body: Self.body(fields, boundary: boundary), contentType: "multipart/form-data; boundary=\(boundary)")
    }

    /// POSTs a JSON body (vLLM's `/pooling`), with the same status handling and retries as `post`.
    func post(json: Data) async throws -> Data {
        try await perform(body: json, contentType: "application/json")
    }

    private func perform(body: Data, contentType: String) async throws -> Data {
        var request = URLRequest(url: endpoint, timeoutInterval: timeout)
        request.httpMethod = "POST"
        request.setValue(contentType, forHTTPHeaderField: "Content-Type")
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        request.httpBody = body
        let finalRequest = request
        let url = endpoint.absoluteString
        return try await retry.run { try await Self.checked(finalRequest, url: url, timeout: timeout) }
    }

    /// One GET without retries (service detection): the 2xx body, else the status as an error.
    static func get(_ url: URL, timeout: Double) async throws -> Data {
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        return try await checked(request, url: url.absoluteString, timeout: timeout)
    }

    /// Sends `request`: the 2xx body; 5xx → `serverError`, other statuses → `rejected`.
    private static func checked(_ request: URLRequest, url: String, timeout: Double) async throws -> Data {
        let (data, response) = try await send(request, url: url, timeout: timeout)
        switch response.statusCode {
        case 200..<300: return data
        case 500..<600: throw RemoteEngineError.serverError(url: url, status: response.statusCode, message: message(in: data))
        default: throw RemoteEngineError.rejected(url: url, status: response.statusCode, message: message(in: data))
        }
    }

    private static func send(_ request: URLRequest, url: String, timeout: Double) async throws -> (Data, HTTPURLResponse) {
        let expired = Expiry()
        return try await withCheckedThrowingContinuation { continuation in
            let task = URLSession.shared.dataTask(with: request) { data, response, error in
                expired.finish()
                if expired.isSet {
                    continuation.resume(throwing: RemoteEngineError.timedOut(url: url, seconds: timeout))
                } else if let error {
                    continuation.resume(throwing: RemoteEngineError.connectionFailed(url: url, reason: error.localizedDescription))
                } else if let http = response as? HTTPURLResponse {
                    continuation.resume(returning: (data ?? Data(), http))
                } else {
                    continuation.resume(throwing: RemoteEngineError.invalidResponse(url: url, reason: "no HTTP response"))
                }
            }
            task.resume()
            // FoundationNetworking (Linux) applies `timeoutInterval` only to a stalled transfer, not
            // to a server still thinking: the whole request is bounded here.
            expired.start(after: timeout) { task.cancel() }
        }
    }

    /// A request's deadline: `isSet` once its time is up (read by the completion handler on another
    /// thread). The timer is cancelled when the request finishes, so no finished request is kept alive
    /// until its timeout.
    private final class Expiry: @unchecked Sendable {
        private let lock = NSLock()
        private var value = false
        private var finished = false
        private var timer: DispatchWorkItem?
        var isSet: Bool { lock.withLock { value } }

        func start(after seconds: Double, onExpiry: @escaping @Sendable () -> Void) {
            let item = DispatchWorkItem { [self] in
                lock.withLock { value = true }
                onExpiry()
            }
            let scheduled: Bool = lock.withLock {
                guard !finished else { return false }
                timer = item
                return true
            }
            if scheduled { DispatchQueue.global().asyncAfter(deadline: .now() + seconds, execute: item) }
        }

        func finish() {
            let item: DispatchWorkItem? = lock.withLock {
                finished = true
                defer { timer = nil }
                return timer
            }
            item?.cancel()
        }
    }

    /// The service's error message (`{"error": {"message": ...}}`), else the body's start.
    static func message(in data: Data) -> String {
        struct Envelope: Decodable { struct Inner: Decodable { let message: String }; let error: Inner }
        if let envelope = try? JSONDecoder().decode(Envelope.self, from: data) { return envelope.error.message }
        return String(decoding: data.prefix(200), as: UTF8.self).trimmingWhitespace()
    }

    func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch {
            throw RemoteEngineError.invalidResponse(url: endpoint.absoluteString, reason: "\(error)")
        }
    }
}

/// A word as the services return it: `{"word", "start", "end"}` (also accepts `text` for `word`).
struct RemoteWord: Decodable {
    let word: String
    let start: Double
    let end: Double
    let confidence: Double?

    enum CodingKeys: String, CodingKey { case word, text, start, end, confidence, probability }

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        word = try container.decodeIfPresent(String.self, forKey: .word) ?? container.decode(String.self, forKey: .text)
        start = try container.decode(Double.self, forKey: .start)
        end = try container.decode(Double.self, forKey: .end)
        confidence = try container.decodeIfPresent(Double.self, forKey: .confidence)
            ?? container.decodeIfPresent(Double.self, forKey: .probability)
    }

    var timedWord: TimedWord { TimedWord(text: word, start: start, end: end, confidence: confidence) }
}
