import Foundation

/// Failures of model lookup, download and cache handling. Each description names what went wrong
/// and the command or setting that fixes it.
public enum ModelHubError: Error, Equatable, Sendable {
    case invalidRepoID(String)
    case folderNotFound(path: String)
    case notCached(repo: String, revision: String)
    case offlineAndNotCached(repo: String, revision: String)
    /// A first-use pull (not `scriba models pull`) could not reach the hub.
    case hubUnreachable(repo: String, revision: String, endpoint: String, message: String)
    case offline(repo: String)
    case repoNotFound(repo: String, revision: String, url: String)
    case unauthorized(repo: String, url: String, status: Int)
    case httpStatus(url: String, status: Int)
    case network(url: String, message: String)
    case badListing(url: String, reason: String)
    case sizeMismatch(file: String, expected: Int64, found: Int64)
    case hashMismatch(file: String, algorithm: String, expected: String, found: String)
    case fileSystem(path: String, message: String)
    case nothingToRemove(name: String)
}

extension ModelHubError: LocalizedError, CustomStringConvertible {
    public var description: String {
        switch self {
        case .invalidRepoID(let name):
            return "'\(name)' is neither an existing folder nor a repo id of the form ORG/NAME (e.g. Qwen/Qwen3-ASR-1.7B); check the spelling or pass the model folder's path."
        case .folderNotFound(let path):
            return "model folder \(path) does not exist; pass an existing folder or a repo id such as Qwen/Qwen3-ASR-1.7B."
        case .notCached(let repo, let revision):
            return "\(repo) (revision \(revision)) is not in the model cache; download it with `\(Self.pullCommand(repo, revision))`."
        case .offlineAndNotCached(let repo, let revision):
            return "\(repo) (revision \(revision)) is not in the model cache and offline mode is on (HF_HUB_OFFLINE or --offline), so it cannot be downloaded; run `\(Self.pullCommand(repo, revision))` with network access (HF_HUB_OFFLINE unset, no --offline), or copy the cache folder from a machine that has it."
        case .hubUnreachable(let repo, let revision, let endpoint, let message):
            return "\(repo) (revision \(revision)) is not in the model cache and downloading it from \(endpoint) failed: \(message). Check the network or set HF_ENDPOINT to a reachable mirror (e.g. https://hf-mirror.com), then run `\(Self.pullCommand(repo, revision))` (it resumes); or pass a local model folder."
        case .offline(let repo):
            return "cannot pull \(repo): HF_HUB_OFFLINE is set. Unset it (or set it to 0) to download."
        case .repoNotFound(let repo, let revision, let url):
            return "the hub has no model \(repo) at revision \(revision) (\(url) answered 404); check the repo id and revision, or whether the repo is private or gated (then set HF_TOKEN)."
        case .unauthorized(let repo, let url, let status):
            return "the hub refused access to \(repo) (HTTP \(status) from \(url)); the repo is private or gated: accept its terms on the website and set HF_TOKEN (or MODELSCOPE_API_TOKEN for --source modelscope) to an access token."
        case .httpStatus(let url, let status):
            return "\(url) answered HTTP \(status); try again later, or set HF_ENDPOINT to a reachable mirror."
        case .network(let url, let message):
            return "could not reach \(url): \(message). Check the network (or HF_ENDPOINT); run the same pull again to resume where it stopped."
        case .badListing(let url, let reason):
            return "the file list from \(url) is unusable: \(reason). Is HF_ENDPOINT pointing at a Hugging Face compatible hub?"
        case .sizeMismatch(let file, let expected, let found):
            return "\(file): downloaded \(found) bytes but the hub lists \(expected); the partial file was deleted, run the pull again."
        case .hashMismatch(let file, let algorithm, let expected, let found):
            return "\(file): \(algorithm) is \(found) but the hub lists \(expected); the download is corrupt and was deleted, run the pull again (a proxy or mirror may be altering files)."
        case .fileSystem(let path, let message):
            return "cannot write \(path): \(message). Check free space and permissions, or point HF_HOME / HF_HUB_CACHE elsewhere."
        case .nothingToRemove(let name):
            return "\(name) is not in the model cache; `scriba models list` shows what is."
        }
    }

    public var errorDescription: String? { description }

    static func pullCommand(_ repo: String, _ revision: String) -> String {
        "scriba models pull \(repo)" + (revision == "main" ? "" : " --revision \(revision)")
    }
}
