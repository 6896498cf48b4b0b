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
        }
    }
    public var errorDescription: String? { description }
}
