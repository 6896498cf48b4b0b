import Foundation

/// The Hugging Face hub cache, laid out exactly as huggingface_hub writes it, so either tool reuses
/// the other's downloads:
/// ```
/// models--ORG--NAME/
///   blobs/<etag>                      file contents; etag = sha256 for LFS files, git blob sha1 otherwise
///   blobs/<etag>.incomplete           a download in progress (resumed with an HTTP Range request)
///   refs/<revision>                   the commit a branch or tag pointed to (40 hex, no newline)
///   snapshots/<commit>/<path>         relative symlink to ../../blobs/<etag>
/// ```
public struct ModelCache: Sendable {
    public let root: URL

    public init(root: URL) {
        self.root = root
    }

    public func repoFolder(_ repo: HubRepoID) -> URL {
        root.appendingPathComponent(repo.cacheFolderName, isDirectory: true)
    }

    public func blobURL(_ repo: HubRepoID, blobID: String) -> URL {
        repoFolder(repo).appendingPathComponent("blobs/\(blobID)")
    }

    public func incompleteURL(_ repo: HubRepoID, blobID: String) -> URL {
        repoFolder(repo).appendingPathComponent("blobs/\(blobID).incomplete")
    }

    /// A revision that is already a commit hash is used as is (no ref lookup), as in
    /// huggingface_hub's `try_to_load_from_cache`.
    public func commit(for repo: HubRepoID, revision: String) -> String? {
        if Self.isCommitHash(revision) { return revision }
        let ref = repoFolder(repo).appendingPathComponent("refs/\(revision)")
        guard let text = try? String(contentsOf: ref, encoding: .utf8) else { return nil }
        let commit = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return commit.isEmpty ? nil : commit
    }

    /// The snapshot folder for `revision`, if that revision was downloaded.
    public func snapshot(_ repo: HubRepoID, revision: String = "main") -> URL? {
        guard let commit = commit(for: repo, revision: revision) else { return nil }
        let folder = repoFolder(repo).appendingPathComponent("snapshots/\(commit)", isDirectory: true)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue
        else { return nil }
        return folder
    }

    public func snapshotFile(_ repo: HubRepoID, commit: String, path: String) -> URL {
        repoFolder(repo).appendingPathComponent("snapshots/\(commit)/\(path)")
    }

    /// Points `snapshots/<commit>/<path>` at the blob with a relative link, replacing an old link.
    public func link(_ repo: HubRepoID, commit: String, path: String, blobID: String) throws {
        let link = snapshotFile(repo, commit: commit, path: path)
        // One "../" per folder between the link and the repo folder (snapshots/<commit>/<subdirs...>).
        let depth = 2 + path.split(separator: "/").count - 1
        let target = String(repeating: "../", count: depth) + "blobs/\(blobID)"
        try fileOperation(link.path) {
            try FileManager.default.createDirectory(
                at: link.deletingLastPathComponent(), withIntermediateDirectories: true)
            if (try? FileManager.default.destinationOfSymbolicLink(atPath: link.path)) != nil
                || FileManager.default.fileExists(atPath: link.path) {
                try FileManager.default.removeItem(at: link)
            }
            try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: target)
        }
    }

    /// `refs/<revision>` holds the commit without a newline, as huggingface_hub writes it.
    public func writeRef(_ repo: HubRepoID, revision: String, commit: String) throws {
        guard revision != commit else { return }
        let ref = repoFolder(repo).appendingPathComponent("refs/\(revision)")
        try fileOperation(ref.path) {
            try FileManager.default.createDirectory(
                at: ref.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(commit.utf8).write(to: ref, options: .atomic)
        }
    }

    /// Every model repo in the cache, sorted by repo id.
    public func cachedModels() -> [CachedModel] {
        let fileManager = FileManager.default
        guard let folders = try? fileManager.contentsOfDirectory(atPath: root.path) else { return [] }
        return folders.sorted().compactMap { folderName -> CachedModel? in
            guard let repo = HubRepoID(cacheFolderName: folderName) else { return nil }
            let folder = repoFolder(repo)
            let blobs = folder.appendingPathComponent("blobs")
            var size: Int64 = 0
            var incomplete: Int64 = 0
            for name in (try? fileManager.contentsOfDirectory(atPath: blobs.path)) ?? [] {
                let bytes = Self.fileSize(blobs.appendingPathComponent(name)) ?? 0
                if name.hasSuffix(".incomplete") { incomplete += bytes } else { size += bytes }
            }
            var refs: [String: String] = [:]
            let refsFolder = folder.appendingPathComponent("refs")
            if let enumerator = fileManager.enumerator(atPath: refsFolder.path) {
                for case let name as String in enumerator {
                    if let commit = commit(for: repo, revision: name), Self.isCommitHash(commit) {
                        refs[name] = commit
                    }
                }
            }
            let snapshots = ((try? fileManager.contentsOfDirectory(
                atPath: folder.appendingPathComponent("snapshots").path)) ?? []).sorted()
            return CachedModel(
                repo: repo, folder: folder, sizeBytes: size, incompleteBytes: incomplete,
                refs: refs, snapshots: snapshots)
        }
    }

    /// Deletes the whole repo folder; returns the bytes freed.
    @discardableResult
    public func remove(_ repo: HubRepoID) throws -> Int64 {
        guard let model = cachedModels().first(where: { $0.repo == repo }) else {
            throw ModelHubError.nothingToRemove(name: repo.description)
        }
        try fileOperation(model.folder.path) { try FileManager.default.removeItem(at: model.folder) }
        return model.sizeBytes + model.incompleteBytes
    }

    public static func isCommitHash(_ text: String) -> Bool {
        text.utf8.count == 40 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    /// A file's size in bytes; nil when it cannot be read.
    public static func fileSize(_ url: URL) -> Int64? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.path),
              let size = attributes[.size] as? NSNumber else { return nil }
        return size.int64Value
    }
}

/// One repo found in the cache.
public struct CachedModel: Sendable, Equatable {
    public let repo: HubRepoID
    public let folder: URL
    /// Bytes of complete blobs (each file counted once, however many snapshots link to it).
    public let sizeBytes: Int64
    /// Bytes of interrupted downloads (`*.incomplete`) a pull would resume.
    public let incompleteBytes: Int64
    /// Branch or tag → commit.
    public let refs: [String: String]
    /// Commit folders under `snapshots/`.
    public let snapshots: [String]
}

/// Runs a file-system step and reports failures as `ModelHubError.fileSystem` naming the path.
func fileOperation<T>(_ path: String, _ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as ModelHubError {
        throw error
    } catch {
        throw ModelHubError.fileSystem(path: path, message: error.localizedDescription)
    }
}
