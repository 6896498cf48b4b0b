import Foundation

/// Failures of a batch as a whole (per-file failures are recorded in the report instead).
public enum BatchError: Error, Equatable, Sendable {
    case noInputs
    case noMatch(pattern: String)
    case emptyFolder(path: String)
    /// Inputs named on the command line that do not exist (checked before any model loads).
    case noSuchFile(paths: [String])
    case cannotWrite(path: String, reason: String)
    /// Stopped on request (Ctrl-C) after `done` of `total` inputs; the report lists those.
    case interrupted(done: Int, total: Int)
    /// Every remote endpoint went down: stopped after `done` of `total` inputs.
    case servicesDown(done: Int, total: Int, reason: String)
    /// `--shard` that is not K/N with 1 ≤ K ≤ N.
    case badShard(String)
    /// `scriba report merge` found nothing to merge, or reports that do not belong together.
    case cannotMerge(String)
}

extension BatchError: LocalizedError, CustomStringConvertible {
    public var description: String {
        switch self {
        case .noInputs:
            return "no input files: pass audio files, folders or globs, e.g. `scriba subtitles talks/ -o subs/`."
        case .noMatch(let pattern):
            return "'\(pattern)' matches no file; check the pattern (quote it so the shell passes it through)."
        case .noSuchFile(let paths):
            let shown = paths.prefix(5).joined(separator: ", ") + (paths.count > 5 ? " and \(paths.count - 5) more" : "")
            return "no such file\(paths.count == 1 ? "" : "s"): \(shown). Check the path\(paths.count == 1 ? "" : "s") and try again."
        case .emptyFolder(let path):
            return "folder \(path) holds no audio or video files (looked for: \(InputCollector.mediaExtensions.sorted().joined(separator: ", ")))."
        case .cannotWrite(let path, let reason):
            return "cannot write \(path): \(reason). Check that the output folder exists and is writable (-o DIR)."
        case .interrupted(let done, let total):
            return "interrupted after \(done) of \(total) inputs; run the same command again to finish the rest (finished files are skipped)."
        case .servicesDown(let done, let total, let reason):
            return "stopped after \(done) of \(total) inputs: \(reason)"
        case .badShard(let text):
            return "--shard \(text) is not K/N with 1 ≤ K ≤ N (e.g. --shard 2/3), or N alone with JOB_COMPLETION_INDEX set."
        case .cannotMerge(let reason):
            return "cannot merge the reports: \(reason)"
        }
    }
    public var errorDescription: String? { description }
}
