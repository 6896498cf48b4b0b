import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Streams one HTTP GET into a `.incomplete` file, resuming from its current length with a Range
/// request (huggingface_hub `http_get` does the same). Bytes are written as they arrive so an
/// interrupted transfer keeps what it received.
final class FileDownload: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    enum Outcome {
        case finished
        case failed(Error)
    }

    private let destination: URL
    private let authorization: String?
    private let onBytes: @Sendable (Int64) -> Void
    // Touched only on the session's serial delegate queue, and by `run` before the task starts /
    // after it ends; `lock` guards the continuation hand-off.
    private var handle: FileHandle?
    private var startOffset: Int64
    private var received: Int64 = 0
    private var failure: Error?
    private let lock = NSLock()
    private var continuation: CheckedContinuation<Int64, Error>?
    private var originalHost: String?

    /// `onBytes` gets the file's length on disk after each chunk.
    init(destination: URL, startOffset: Int64, authorization: String?, onBytes: @escaping @Sendable (Int64) -> Void) {
        self.destination = destination
        self.startOffset = startOffset
        self.authorization = authorization
        self.onBytes = onBytes
    }

    /// Returns the bytes received. Throws `ModelHubError` (network, status) leaving the partial file.
    func run(url: URL, configuration: URLSessionConfiguration) async throws -> Int64 {
        var request = URLRequest(url: url)
        request.setValue("identity", forHTTPHeaderField: "Accept-Encoding")
        request.setValue("scriba/0.1", forHTTPHeaderField: "User-Agent")
        if let authorization { request.setValue(authorization, forHTTPHeaderField: "Authorization") }
        if startOffset > 0 { request.setValue("bytes=\(startOffset)-", forHTTPHeaderField: "Range") }
        originalHost = url.host

        let fileManager = FileManager.default
        try fileOperation(destination.path) {
            try fileManager.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
            if !fileManager.fileExists(atPath: destination.path) {
                _ = fileManager.createFile(atPath: destination.path, contents: nil)
            }
            handle = try FileHandle(forWritingTo: destination)
            try handle?.truncate(atOffset: UInt64(startOffset))
            try handle?.seekToEnd()
        }
        defer { try? handle?.close() }

        let session = URLSession(configuration: configuration, delegate: self, delegateQueue: nil)
        defer { session.finishTasksAndInvalidate() }
        let task = session.dataTask(with: request)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                lock.withLock { self.continuation = continuation }
                task.resume()
            }
        } onCancel: {
            task.cancel()
        }
    }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        switch status {
        case 206:
            completionHandler(.allow)
        case 200:
            // The server ignored the Range header: start the file over.
            if startOffset > 0 {
                do {
                    try handle?.truncate(atOffset: 0)
                    startOffset = 0
                } catch {
                    failure = ModelHubError.fileSystem(path: destination.path, message: error.localizedDescription)
                    completionHandler(.cancel)
                    return
                }
            }
            completionHandler(.allow)
        default:
            failure = HubHTTP.statusError(status, url: response.url ?? dataTask.originalRequest?.url)
            completionHandler(.cancel)
        }
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard failure == nil, let handle else { return }
        do {
            try handle.write(contentsOf: data)
        } catch {
            failure = ModelHubError.fileSystem(path: destination.path, message: error.localizedDescription)
            dataTask.cancel()
            return
        }
        received += Int64(data.count)
        onBytes(startOffset + received)
    }

    /// Keeps the Range header across redirects (to a CDN) and drops the token when the host
    /// changes, as huggingface_hub does for signed CDN URLs.
    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void
    ) {
        var next = request
        if let range = task.originalRequest?.value(forHTTPHeaderField: "Range") {
            next.setValue(range, forHTTPHeaderField: "Range")
        }
        if request.url?.host != originalHost {
            next.setValue(nil, forHTTPHeaderField: "Authorization")
        } else if let authorization {
            next.setValue(authorization, forHTTPHeaderField: "Authorization")
        }
        completionHandler(next)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        let result: Result<Int64, Error>
        if let failure {
            result = .failure(failure)
        } else if let error {
            let url = task.originalRequest?.url?.absoluteString ?? destination.lastPathComponent
            result = .failure(ModelHubError.network(url: url, message: error.localizedDescription))
        } else {
            result = .success(received)
        }
        let continuation = lock.withLock { () -> CheckedContinuation<Int64, Error>? in
            defer { self.continuation = nil }
            return self.continuation
        }
        continuation?.resume(with: result)
    }
}

/// Status codes → errors, shared by the listing and file requests.
enum HubHTTP {
    static func statusError(_ status: Int, url: URL?, repo: String? = nil, revision: String? = nil) -> ModelHubError {
        let text = url?.absoluteString ?? "the hub"
        switch status {
        case 401, 403:
            return .unauthorized(repo: repo ?? text, url: text, status: status)
        case 404 where repo != nil:
            return .repoNotFound(repo: repo!, revision: revision ?? "main", url: text)
        default:
            return .httpStatus(url: text, status: status)
        }
    }
}
