import Crypto
import Foundation

/// Where a pull lists and fetches files. Both end up in the same Hugging Face cache layout.
public enum ModelSource: String, Sendable, CaseIterable {
    /// huggingface.co or `HF_ENDPOINT`.
    case huggingFace = "hf"
    /// modelscope.cn (reachable from mainland China), or `MODELSCOPE_DOMAIN`.
    case modelScope = "modelscope"
}

/// How a downloaded file is checked: LFS files by sha256 (which is also their etag), small git
/// files by their git blob sha1 (`sha1("blob <size>\0" + bytes)`, their etag).
public enum FileChecksum: Sendable, Equatable {
    case sha256(String)
    case gitBlobSHA1(String)
}

/// One file of a repo at one commit, as the hub lists it.
public struct RemoteFile: Sendable, Equatable {
    /// Path inside the repo, "/"-separated.
    public let path: String
    public let size: Int64
    /// The blob's name in the cache (the file's etag).
    public let blobID: String
    public let checksum: FileChecksum
    public let url: URL
}

/// A repo's files at one revision, and the commit that revision resolved to.
public struct RepoListing: Sendable, Equatable {
    public let repo: HubRepoID
    public let revision: String
    public let commit: String
    public let files: [RemoteFile]

    public var totalBytes: Int64 { files.reduce(0) { $0 + $1.size } }
}

// MARK: - URL layouts

extension ModelSource {
    /// The revision name a user's default (`main`) means on this hub: ModelScope's default branch is `master`.
    func remoteRevision(_ revision: String) -> String {
        self == .modelScope && revision == "main" ? "master" : revision
    }

    /// huggingface_hub `HfApi.model_info(files_metadata=True)`: `GET /api/models/{repo}/revision/{rev}?blobs=true`;
    /// modelscope `list_model_files`: `GET /api/v1/models/{repo}/repo/files?Revision=..&Recursive=true`.
    func listingURL(_ repo: HubRepoID, revision: String, environment: HubEnvironment) -> URL {
        switch self {
        case .huggingFace:
            return URL(string: "\(environment.endpoint.absoluteString)/api/models/\(repo)/revision/\(Self.escapeSegment(revision))?blobs=true")!
        case .modelScope:
            return URL(string: "\(environment.modelScopeEndpoint.absoluteString)/api/v1/models/\(repo)/repo/files?Revision=\(Self.escapeQuery(remoteRevision(revision)))&Recursive=true")!
        }
    }

    /// huggingface_hub `hf_hub_url`: `/{repo}/resolve/{rev}/{path}`; modelscope: `/api/v1/models/{repo}/repo?Revision=..&FilePath=..`.
    func fileURL(_ repo: HubRepoID, revision: String, path: String, environment: HubEnvironment) -> URL {
        switch self {
        case .huggingFace:
            let escapedPath = path.split(separator: "/").map { Self.escapeSegment(String($0)) }.joined(separator: "/")
            return URL(string: "\(environment.endpoint.absoluteString)/\(repo)/resolve/\(Self.escapeSegment(revision))/\(escapedPath)")!
        case .modelScope:
            return URL(string: "\(environment.modelScopeEndpoint.absoluteString)/api/v1/models/\(repo)/repo?Revision=\(Self.escapeQuery(remoteRevision(revision)))&FilePath=\(Self.escapeQuery(path))")!
        }
    }

    var token: KeyPath<HubEnvironment, String?> {
        self == .huggingFace ? \.token : \.modelScopeToken
    }

    /// Like Python's `quote(x, safe="")`: a revision such as `refs/pr/1` stays one path segment.
    static func escapeSegment(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    static func escapeQuery(_ text: String) -> String { escapeSegment(text) }
}

// MARK: - Parsing

extension RepoListing {
    private struct HFModelInfo: Decodable {
        struct Sibling: Decodable {
            struct LFS: Decodable {
                let sha256: String
                let size: Int64
            }
            let rfilename: String
            let size: Int64?
            let blobId: String?
            let lfs: LFS?
        }
        let sha: String?
        let siblings: [Sibling]?
    }

    /// Files whose size or blob id the listing leaves out (a hub without `?blobs=true`) come back
    /// in `missingMetadata`, to be completed with a HEAD request each.
    static func parseHuggingFace(
        _ data: Data, repo: HubRepoID, revision: String, listingURL: URL, environment: HubEnvironment
    ) throws -> (listing: RepoListing, missingMetadata: [String]) {
        let info: HFModelInfo
        do {
            info = try JSONDecoder().decode(HFModelInfo.self, from: data)
        } catch {
            throw ModelHubError.badListing(url: listingURL.absoluteString, reason: "not model-info JSON (\(error))")
        }
        guard let commit = info.sha, ModelCache.isCommitHash(commit) else {
            throw ModelHubError.badListing(url: listingURL.absoluteString, reason: "no 40-hex commit in 'sha'")
        }
        guard let siblings = info.siblings else {
            throw ModelHubError.badListing(url: listingURL.absoluteString, reason: "no 'siblings' file list")
        }
        var files: [RemoteFile] = []
        var missing: [String] = []
        for sibling in siblings {
            try checkRepoPath(sibling.rfilename, listingURL: listingURL)
            // Files are fetched by commit so a branch moving mid-pull cannot mix two versions.
            let url = ModelSource.huggingFace.fileURL(repo, revision: commit, path: sibling.rfilename, environment: environment)
            if let lfs = sibling.lfs {
                files.append(RemoteFile(path: sibling.rfilename, size: lfs.size, blobID: lfs.sha256,
                                        checksum: .sha256(lfs.sha256), url: url))
            } else if let blobID = sibling.blobId, let size = sibling.size {
                files.append(RemoteFile(path: sibling.rfilename, size: size, blobID: blobID,
                                        checksum: .gitBlobSHA1(blobID), url: url))
            } else {
                missing.append(sibling.rfilename)
            }
        }
        return (RepoListing(repo: repo, revision: revision, commit: commit, files: files), missing)
    }

    private struct MSListing: Decodable {
        struct Payload: Decodable {
            let Files: [File]?
        }
        struct File: Decodable {
            let Path: String
            let `Type`: String?
            let Size: Int64?
            let Sha256: String?
        }
        let Code: Int?
        let Message: String?
        let Data: Payload?
    }

    /// ModelScope has no single commit id in its listing, so the snapshot folder is named by a
    /// sha1 over the sorted (path, sha256) pairs: stable for the same files, new when any changes.
    static func parseModelScope(
        _ data: Data, repo: HubRepoID, revision: String, listingURL: URL, environment: HubEnvironment
    ) throws -> RepoListing {
        let listing: MSListing
        do {
            listing = try JSONDecoder().decode(MSListing.self, from: data)
        } catch {
            throw ModelHubError.badListing(url: listingURL.absoluteString, reason: "not a ModelScope file list (\(error))")
        }
        guard listing.Code == nil || listing.Code == 200, let entries = listing.Data?.Files else {
            if listing.Code != nil && listing.Code != 200 {
                throw ModelHubError.repoNotFound(repo: repo.description, revision: revision, url: listingURL.absoluteString)
            }
            throw ModelHubError.badListing(url: listingURL.absoluteString, reason: listing.Message ?? "no Data.Files")
        }
        var files: [RemoteFile] = []
        for entry in entries where (entry.Type ?? "blob") == "blob" {
            try checkRepoPath(entry.Path, listingURL: listingURL)
            guard let size = entry.Size, let sha256 = entry.Sha256?.lowercased(), sha256.utf8.count == 64 else {
                throw ModelHubError.badListing(url: listingURL.absoluteString, reason: "\(entry.Path) has no Size or Sha256")
            }
            let url = ModelSource.modelScope.fileURL(repo, revision: revision, path: entry.Path, environment: environment)
            files.append(RemoteFile(path: entry.Path, size: size, blobID: sha256, checksum: .sha256(sha256), url: url))
        }
        files.sort { $0.path < $1.path }
        let digestInput = files.map { "\($0.path)\t\($0.blobID)\n" }.joined()
        let commit = Insecure.SHA1.hash(data: Data(digestInput.utf8)).map { String(format: "%02x", $0) }.joined()
        return RepoListing(repo: repo, revision: revision, commit: commit, files: files)
    }

    /// A listed path must stay inside the snapshot folder.
    static func checkRepoPath(_ path: String, listingURL: URL) throws {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        if path.isEmpty || path.hasPrefix("/") || parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) {
            throw ModelHubError.badListing(url: listingURL.absoluteString, reason: "unsafe file path '\(path)'")
        }
    }
}
