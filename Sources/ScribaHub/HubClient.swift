import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Lists a repo on the hub and downloads it into the Hugging Face cache: resumable (`.incomplete`
/// + HTTP Range), size- and hash-checked, one blob per content, snapshot symlinks and refs written
/// as huggingface_hub 0.36 writes them.
public struct HubClient: Sendable {
    public let environment: HubEnvironment
    public let cache: ModelCache
    /// Seconds without data before a request fails (the pull can then be run again to resume).
    public var timeoutSeconds: Double = 60

    public init(environment: HubEnvironment = HubEnvironment()) {
        self.environment = environment
        self.cache = ModelCache(root: environment.hubCache)
    }

    /// Downloads every file of `repo` at `revision` that the cache lacks, then points
    /// `refs/<revision>` at the commit. Files already in the cache are not fetched again.
    public func pull(
        _ repo: HubRepoID, revision: String = "main", source: ModelSource = .huggingFace,
        progress: (@Sendable (PullProgress) -> Void)? = nil
    ) async throws -> PullResult {
        guard !environment.offline else { throw ModelHubError.offline(repo: repo.description) }
        let listing = try await self.listing(repo, revision: revision, source: source)
        var progressState = PullProgress(
            file: "", fileIndex: 0, fileCount: listing.files.count, fileBytes: 0, fileSize: 0,
            totalBytes: 0, totalSize: listing.totalBytes)
        var downloaded: Int64 = 0
        var reused = 0
        for (index, file) in listing.files.enumerated() {
            try Task.checkCancellation()
            progressState.file = file.path
            progressState.fileIndex = index + 1
            progressState.fileSize = file.size
            let doneBefore = progressState.totalBytes
            let blob = cache.blobURL(repo, blobID: file.blobID)
            if let size = ModelCache.fileSize(blob), size == file.size {
                reused += 1
            } else {
                let base = progressState
                downloaded += try await fetch(file, repo: repo, source: source) { onDisk in
                    var update = base
                    update.fileBytes = onDisk
                    update.totalBytes = doneBefore + onDisk
                    progress?(update)
                }
            }
            try cache.link(repo, commit: listing.commit, path: file.path, blobID: file.blobID)
            progressState.fileBytes = file.size
            progressState.totalBytes = doneBefore + file.size
            progress?(progressState)
        }
        // The ref is written last, so an interrupted pull never makes a partial snapshot the one
        // `resolve` picks.
        try cache.writeRef(repo, revision: revision, commit: listing.commit)
        let snapshot = repoSnapshotFolder(repo, commit: listing.commit)
        try fileOperation(snapshot.path) {
            try FileManager.default.createDirectory(at: snapshot, withIntermediateDirectories: true)
        }
        return PullResult(snapshot: snapshot, commit: listing.commit, fileCount: listing.files.count,
                          downloadedBytes: downloaded, reusedFiles: reused)
    }

    /// The repo's files at `revision` with sizes and checksums.
    public func listing(_ repo: HubRepoID, revision: String = "main", source: ModelSource = .huggingFace) async throws -> RepoListing {
        guard !environment.offline else { throw ModelHubError.offline(repo: repo.description) }
        let url = source.listingURL(repo, revision: revision, environment: environment)
        let (data, status) = try await get(url, method: "GET", token: environment[keyPath: source.token], followRedirects: true).bodyAndStatus
        guard (200..<300).contains(status) else {
            throw HubHTTP.statusError(status, url: url, repo: repo.description, revision: revision)
        }
        switch source {
        case .modelScope:
            return try RepoListing.parseModelScope(data, repo: repo, revision: revision, listingURL: url, environment: environment)
        case .huggingFace:
            let (listing, missing) = try RepoListing.parseHuggingFace(
                data, repo: repo, revision: revision, listingURL: url, environment: environment)
            guard !missing.isEmpty else { return listing }
            var files = listing.files
            for path in missing {
                files.append(try await headMetadata(repo, commit: listing.commit, path: path))
            }
            files.sort { $0.path < $1.path }
            return RepoListing(repo: repo, revision: revision, commit: listing.commit, files: files)
        }
    }

    private func repoSnapshotFolder(_ repo: HubRepoID, commit: String) -> URL {
        cache.repoFolder(repo).appendingPathComponent("snapshots/\(commit)", isDirectory: true)
    }

    /// Downloads (or resumes) one file into `blobs/<etag>.incomplete`, checks size and hash, then
    /// renames it to `blobs/<etag>`. Returns the bytes received over the network.
    private func fetch(
        _ file: RemoteFile, repo: HubRepoID, source: ModelSource, onDisk: @escaping @Sendable (Int64) -> Void
    ) async throws -> Int64 {
        let partial = cache.incompleteURL(repo, blobID: file.blobID)
        var existing = ModelCache.fileSize(partial) ?? 0
        // Longer than the file can be: not a prefix of it.
        if existing > file.size { existing = 0 }
        var received: Int64 = 0
        if existing < file.size || file.size == 0 {
            let token = environment[keyPath: source.token]
            let download = FileDownload(
                destination: partial, startOffset: existing,
                authorization: token.map { "Bearer \($0)" }, onBytes: onDisk)
            received = try await download.run(url: file.url, configuration: sessionConfiguration())
        }
        let onDiskSize = ModelCache.fileSize(partial) ?? 0
        guard onDiskSize == file.size else {
            // A short file is kept for the next resume; a long one cannot be a prefix.
            if onDiskSize > file.size { try? FileManager.default.removeItem(at: partial) }
            throw ModelHubError.sizeMismatch(file: "\(repo)/\(file.path)", expected: file.size, found: onDiskSize)
        }
        let found = try file.checksum.hash(of: partial, size: file.size)
        guard found == file.checksum.expectedHex else {
            try? FileManager.default.removeItem(at: partial)
            throw ModelHubError.hashMismatch(file: "\(repo)/\(file.path)", algorithm: file.checksum.algorithmName,
                                             expected: file.checksum.expectedHex, found: found)
        }
        let blob = cache.blobURL(repo, blobID: file.blobID)
        try fileOperation(blob.path) {
            if FileManager.default.fileExists(atPath: blob.path) { try FileManager.default.removeItem(at: blob) }
            try FileManager.default.moveItem(at: partial, to: blob)
        }
        return received
    }

    /// For hubs whose listing lacks sizes/etags: huggingface_hub's `get_hf_file_metadata`, a HEAD
    /// without following redirects, reading X-Linked-Etag / X-Linked-Size before ETag / Content-Length.
    private func headMetadata(_ repo: HubRepoID, commit: String, path: String) async throws -> RemoteFile {
        let url = ModelSource.huggingFace.fileURL(repo, revision: commit, path: path, environment: environment)
        let response = try await get(url, method: "HEAD", token: environment.token, followRedirects: false)
        let status = response.status
        guard (200..<400).contains(status) else { throw HubHTTP.statusError(status, url: url, repo: repo.description) }
        func header(_ name: String) -> String? { response.response?.value(forHTTPHeaderField: name) }
        let etag = (header("X-Linked-Etag") ?? header("ETag"))
            .map { $0.replacingOccurrences(of: "W/", with: "").trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
        guard let etag, !etag.isEmpty,
              let size = (header("X-Linked-Size") ?? header("Content-Length")).flatMap({ Int64($0) })
        else {
            throw ModelHubError.badListing(url: url.absoluteString, reason: "\(path) has no ETag or size header")
        }
        let checksum: FileChecksum = etag.utf8.count == 64 ? .sha256(etag) : .gitBlobSHA1(etag)
        return RemoteFile(path: path, size: size, blobID: etag, checksum: checksum, url: url)
    }

    private func sessionConfiguration() -> URLSessionConfiguration {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeoutSeconds
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        return configuration
    }

    private struct SmallResponse {
        let data: Data
        let response: HTTPURLResponse?
        var status: Int { response?.statusCode ?? 0 }
        var bodyAndStatus: (Data, Int) { (data, status) }
    }

    private func get(_ url: URL, method: String, token: String?, followRedirects: Bool) async throws -> SmallResponse {
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.setValue("identity", forHTTPHeaderField: "Accept-Encoding")
        request.setValue("scriba/0.1", forHTTPHeaderField: "User-Agent")
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        let session = URLSession(
            configuration: sessionConfiguration(), delegate: followRedirects ? nil : NoRedirects(), delegateQueue: nil)
        defer { session.finishTasksAndInvalidate() }
        do {
            let (data, response) = try await session.data(for: request)
            return SmallResponse(data: data, response: response as? HTTPURLResponse)
        } catch {
            throw ModelHubError.network(url: url.absoluteString, message: error.localizedDescription)
        }
    }
}

/// Stops at the first redirect so its X-Linked-* headers can be read.
private final class NoRedirects: NSObject, URLSessionTaskDelegate, Sendable {
    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }
}
