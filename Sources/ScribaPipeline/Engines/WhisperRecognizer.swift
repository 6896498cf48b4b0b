// The Whisper engine's adapter from audio to ScribaModels: samples → faster-whisper's log-mel (the clip
// plus 160 zero samples, 80 Slaney bins, max − 8 clamp over the whole file) → `WhisperTranscriber`.
// ScribaModels never sees audio, so the mel is computed here. Returns its own result type; mapping it
// onto the pipeline's `Transcript` is the caller's business.

import Foundation
import ScribaAudio
import ScribaModels
import ScribaTensor

/// What Whisper heard in one buffer.
public struct WhisperRecognition: Sendable, Equatable {
    public var language: String
    public var languageProbability: Double
    public var segments: [WhisperSegment]
    public var duration: Double
    /// Windows whose output still loops after the guard's retries / whose first pass looped but
    /// recovered / that hit the token bound (see `WhisperTranscription`).
    public var loopedWindows = 0
    public var recoveredLoops = 0
    public var truncatedWindows = 0
    public var text: String { segments.map(\.text).joined() }
}

/// A loaded Whisper model. Safe to share: each call decodes with its own scratch.
public struct WhisperRecognizer: Sendable {
    public let model: WhisperModel
    public let tokenizer: BPETokenizer
    /// Whisper's input rate.
    public static let sampleRate = 16_000
    /// faster-whisper's FeatureExtractor pads this many zero samples before the STFT (one hop).
    public static let paddingSamples = 160

    /// `precision` nil: `WhisperModel.defaultPrecision`.
    public init(folder: URL, precision: WeightPrecision? = nil) throws {
        model = try WhisperModel(folder: folder, precision: precision)
        tokenizer = try BPETokenizer.load(folder: folder)
    }

    public init(model: WhisperModel, tokenizer: BPETokenizer) {
        self.model = model
        self.tokenizer = tokenizer
    }

    /// The whole-file log-mel faster-whisper computes: [melBins, N/160 + 1] for N samples (the last
    /// frame covers only the padding; decoding uses frames − 1 of them).
    public static func logMel(samples: [Float], melBins: Int) -> Tensor {
        LogMel(melBins: melBins).compute(samples + [Float](repeating: 0, count: paddingSamples))
    }

    public func transcribe(_ audio: AudioBuffer, options: WhisperOptions = WhisperOptions()) throws -> WhisperRecognition {
        let samples = audio.sampleRate == Self.sampleRate
            ? audio.samples : Resampler.resample(audio.samples, from: audio.sampleRate, to: Self.sampleRate)
        let mel = Self.logMel(samples: samples, melBins: model.config.melBins)
        let transcriber = try WhisperTranscriber(model: model, tokenizer: tokenizer)
        let result = try transcriber.transcribe(mel: mel, options: options)
        return WhisperRecognition(language: result.language, languageProbability: result.languageProbability,
                                  segments: result.segments, duration: result.duration,
                                  loopedWindows: result.loopedWindows, recoveredLoops: result.recoveredLoops,
                                  truncatedWindows: result.truncatedWindows)
    }
}
