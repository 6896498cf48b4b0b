import Foundation

/// Failures of a batch as a whole (per-file failures are recorded in the report instead).
public enum BatchError: Error, Equatable, Sendable {
    case noInputs
    case noMatch(pattern: String)
    case emptyFolder(path: String)
    case cannotWrite(path: String, reason: String)
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
        }
    }
    public var errorDescription: String? { description }
}
