import Foundation

/// Failures of a batch as a whole (per-file failures are recorded in the report instead).
public enum BatchError: Error, Equatable, Sendable {
    case noInputs
    case noMatch(pattern: String)
    case emptyFolder(path: String)
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
