import Foundation

/// Failures of the pipeline itself (engines and audio have their own error types).
public enum PipelineError: Error, Equatable, Sendable {
    case noAligner
}

extension PipelineError: LocalizedError, CustomStringConvertible {
    public var description: String {
        switch self {
        case .noAligner:
            return "no aligner is loaded: pass an aligner model (--aligner-model) or use an engine that gives word times itself (--engine whisper)."
        }
    }
    public var errorDescription: String? { description }
}
