import Foundation

/// Failures of the pipeline itself (engines and audio have their own error types).
public enum PipelineError: Error, Equatable, Sendable {
    case noAligner
    /// A pipeline built with an aligner only was asked to transcribe.
    case noRecognizer
    /// Diarization needs scripts/fetch-diarization-models' files in this folder.
    case diarizationModelsMissing(folder: URL)
    /// Diarization runs on 16 kHz audio (what `AudioFile.load` gives).
    case diarizationSampleRate(Int)
    /// Live captions need a recogniser that times its own words (Whisper).
    case streamingUnsupported(model: String)
}

extension PipelineError: LocalizedError, CustomStringConvertible {
    public var description: String {
        switch self {
        case .noAligner:
            return "no aligner is loaded: pass an aligner model (--aligner-model) or use an engine that gives word times itself (--engine whisper)."
        case .noRecognizer:
            return "no recogniser is loaded: this pipeline only aligns a given text; build it with a recogniser to transcribe."
        case .diarizationModelsMissing(let folder):
            return "the diarization models are not in \(folder.path) (pyannote-segmentation-3.0/ and campplus-cn-en-common/): run scripts/fetch-diarization-models, or set SCRIBA_MODELS_DIR to the folder that holds them."
        case .diarizationSampleRate(let rate):
            return "diarization needs 16 kHz audio, got \(rate) Hz: load the file with AudioFile.load, which resamples."
        case .streamingUnsupported(let model):
            return "live captions need an engine that times its own words; \(model) does not. Serve or run with --engine whisper or a local --engine qwen3."
        }
    }
    public var errorDescription: String? { description }
}
