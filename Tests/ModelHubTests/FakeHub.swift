import Foundation
import Hummingbird
import Logging
import HTTPTypes
import NIOCore
@testable import ScribaHub
import ScribaPipeline

/// An in-process stand-in for huggingface.co and modelscope.cn serving small repos, with the
/// routes and headers huggingface_hub relies on, HTTP Range support, and knobs to cut a transfer
/// short, corrupt a file, hide listing metadata or require a token. It counts what it serves.
final class FakeHub: @unchecked Sendable {
    struct File {
        let path: String
        let data: Data
        let lfs: Bool
        var sha256: String { FileChecksum.sha256Hex(data) }
        var gitSHA1: String { FileChecksum.gitBlobSHA1Hex(data) }
        var etag: String { lfs ? sha256 : gitSHA1 }
    }

    struct Repo {
        /// branch or tag → commit
        var refs: [String: String]
        var commits: [String: [File]]
    }

    private let lock = NSLock()
    private var repos: [String: Repo] = [:]
    private var _bytesServed: [String: Int] = [:]
    private var _rangeHeaders: [String] = []
    private var _requests: [String] = []
    /// path → bytes to send before dropping the connection (applies once).
    private var dropAfter: [String: Int] = [:]
    private var corrupted: Set<String> = []
    private var _omitBlobMetadata = false
    private var _requiredToken: String?
    private var serverTask: Task<Void, Error>?

    func add(_ repo: String, refs: [String: String], commits: [String: [File]]) {
        lock.withLock { repos[repo] = Repo(refs: refs, commits: commits) }
    }
    func dropConnection(after bytes: Int, of path: String) { lock.withLock { dropAfter[path] = bytes } }
    func corrupt(_ path: String) { _ = lock.withLock { corrupted.insert(path) } }
    func omitBlobMetadata() { lock.withLock { _omitBlobMetadata = true } }
    func requireToken(_ token: String) { lock.withLock { _requiredToken = token } }

    func bytesServed(_ path: String) -> Int { lock.withLock { _bytesServed[path] ?? 0 } }
    var totalBytesServed: Int { lock.withLock { _bytesServed.values.reduce(0, +) } }
    var rangeHeaders: [String] { lock.withLock { _rangeHeaders } }
    var requests: [String] { lock.withLock { _requests } }

    /// Starts the server on a free port and returns its base URL.
    func start() async throws -> URL {
        let router = Router()
        router.get("/api/models/{org}/{name}/revision/{rev}") { request, context in
            try self.modelInfo(request, context)
        }
        router.get("/{org}/{name}/resolve/{rev}/**") { request, context in
            try self.file(request, context, head: false)
        }
        router.head("/{org}/{name}/resolve/{rev}/**") { request, context in
            try self.file(request, context, head: true)
        }
        router.get("/api/v1/models/{org}/{name}/repo/files") { request, context in
            try self.modelScopeListing(request, context)
        }
        router.get("/api/v1/models/{org}/{name}/repo") { request, context in
            try self.modelScopeFile(request, context)
        }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            },
            // Stopping mid-connection (the interrupted-download test) logs harmless errors.
            logger: Self.quietLogger)
        serverTask = Task { try await app.runService(gracefulShutdownSignals: []) }
        var port = 0
        for await value in ports { port = value }
        return URL(string: "http://127.0.0.1:\(port)")!
    }

    func stop() { serverTask?.cancel() }

    private static let quietLogger: Logger = {
        var logger = Logger(label: "FakeHub")
        logger.logLevel = .critical
        return logger
    }()

    // MARK: - Routes

    private func record(_ request: Request) throws {
        let token = lock.withLock { () -> String? in
            _requests.append("\(request.method) \(request.uri.path)")
            return _requiredToken
        }
        if let token, request.headers[.authorization] != "Bearer \(token)" {
            throw HTTPError(.unauthorized)
        }
    }

    private func lookup(_ context: BasicRequestContext, revision: String) throws -> (commit: String, files: [File]) {
        let repoID = "\(context.parameters.get("org") ?? "")/\(context.parameters.get("name") ?? "")"
        return try lock.withLock {
            guard let repo = repos[repoID] else { throw HTTPError(.notFound) }
            let commit = repo.refs[revision] ?? revision
            guard let files = repo.commits[commit] else { throw HTTPError(.notFound) }
            return (commit, files)
        }
    }

    private func modelInfo(_ request: Request, _ context: BasicRequestContext) throws -> Response {
        try record(request)
        let revision = (context.parameters.get("rev") ?? "").removingPercentEncoding ?? ""
        let (commit, files) = try lookup(context, revision: revision)
        let omit = lock.withLock { _omitBlobMetadata }
        let siblings: [[String: Any]] = files.map { file in
            var entry: [String: Any] = ["rfilename": file.path]
            if !omit {
                entry["size"] = file.data.count
                entry["blobId"] = file.gitSHA1
                if file.lfs { entry["lfs"] = ["sha256": file.sha256, "size": file.data.count, "pointerSize": 134] }
            }
            return entry
        }
        let body = try JSONSerialization.data(withJSONObject: ["id": "x", "sha": commit, "siblings": siblings])
        return Response(status: .ok, headers: [.contentType: "application/json"],
                        body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    private func file(_ request: Request, _ context: BasicRequestContext, head: Bool) throws -> Response {
        try record(request)
        let revision = context.parameters.get("rev") ?? ""
        let path = context.parameters.getCatchAll().joined(separator: "/")
        let (commit, files) = try lookup(context, revision: revision)
        guard let file = files.first(where: { $0.path == path }) else { throw HTTPError(.notFound) }
        var headers: HTTPFields = [:]
        headers[HTTPField.Name("X-Repo-Commit")!] = commit
        if file.lfs {
            headers[HTTPField.Name("X-Linked-Etag")!] = "\"\(file.sha256)\""
            headers[HTTPField.Name("X-Linked-Size")!] = "\(file.data.count)"
        }
        headers[.eTag] = "\"\(file.etag)\""
        return serve(file, request: request, headers: headers, head: head)
    }

    private func modelScopeListing(_ request: Request, _ context: BasicRequestContext) throws -> Response {
        try record(request)
        let revision = request.uri.queryParameters.get("Revision").map { String($0) } ?? "master"
        let (commit, files) = try lookup(context, revision: revision)
        let entries: [[String: Any]] = files.map {
            ["Name": ($0.path as NSString).lastPathComponent, "Path": $0.path, "Type": "blob",
             "Size": $0.data.count, "Sha256": $0.sha256, "Revision": commit]
        } + [["Name": "sub", "Path": "sub", "Type": "tree", "Size": 0]]
        let body = try JSONSerialization.data(withJSONObject: ["Code": 200, "Data": ["Files": entries]])
        return Response(status: .ok, headers: [.contentType: "application/json"],
                        body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    private func modelScopeFile(_ request: Request, _ context: BasicRequestContext) throws -> Response {
        try record(request)
        let revision = request.uri.queryParameters.get("Revision").map { String($0) } ?? "master"
        let path = request.uri.queryParameters.get("FilePath").map { String($0) } ?? ""
        let (_, files) = try lookup(context, revision: revision)
        guard let file = files.first(where: { $0.path == path }) else { throw HTTPError(.notFound) }
        return serve(file, request: request, headers: [:], head: false)
    }

    /// Full or `bytes=N-` ranged body; may corrupt one byte or stop early as configured.
    private func serve(_ file: File, request: Request, headers: HTTPFields, head: Bool) -> Response {
        var headers = headers
        var data = file.data
        var status = HTTPResponse.Status.ok
        headers[.acceptRanges] = "bytes"
        if let range = request.headers[.range] {
            lock.withLock { _rangeHeaders.append("\(file.path) \(range)") }
            if range.hasPrefix("bytes="), range.hasSuffix("-"),
               let start = Int(range.dropFirst("bytes=".count).dropLast()), start < data.count {
                headers[.contentRange] = "bytes \(start)-\(data.count - 1)/\(data.count)"
                data = data.subdata(in: start..<data.count)
                status = .partialContent
            }
        }
        headers[.contentLength] = "\(data.count)"
        if head { return Response(status: status, headers: headers, body: .init()) }
        let (isCorrupt, drop) = lock.withLock { () -> (Bool, Int?) in
            (corrupted.contains(file.path), dropAfter.removeValue(forKey: file.path))
        }
        if isCorrupt, !data.isEmpty { data[data.startIndex + data.count / 2] ^= 0xFF }
        let body = data
        let path = file.path
        return Response(status: status, headers: headers, body: ResponseBody(contentLength: body.count) { writer in
            let limit = min(drop ?? body.count, body.count)
            var offset = 0
            while offset < limit {
                let end = min(offset + 16_384, limit)
                try await writer.write(ByteBuffer(bytes: body[offset..<end]))
                self.lock.withLock { self._bytesServed[path, default: 0] += end - offset }
                offset = end
            }
            if drop != nil {
                // Let the client receive what was sent, then cut the connection mid-body.
                try await Task.sleep(for: .milliseconds(200))
                throw HTTPError(.internalServerError)
            }
            try await writer.finish(nil)
        })
    }
}
