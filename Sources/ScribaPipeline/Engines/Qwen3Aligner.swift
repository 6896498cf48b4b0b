import Foundation
import ScribaAudio
import ScribaModels
import ScribaTensor

/// `ForcedAligner` over a local Qwen3-ForcedAligner folder: AudioBuffer → 16 kHz, peak-normalised
/// → LogMel(128) → units of the text → `Qwen3ForcedAligner.align` → words in seconds, clamped to
/// 0 ≤ start ≤ end ≤ duration (the classifier's bins span 400 s, so a confused model can point past
/// the clip). Text goes through `WindowedAligner` (≤ 60 s windows at pauses, plateau repair,
/// `interpolated` words); `align(_:units:)` is one raw call. An actor: the model's scratch is
/// mutable; load one per process and share it.
///
/// Korean units are the reference's (L-tokenizer); Japanese units come from MeCab where the
/// reference uses nagisa (see `MeCabSegmenter`).
public actor Qwen3Aligner: ForcedAligner, UnitAligner {
    public nonisolated let modelName: String
    /// The reference splits audio for timestamps at 180 s (`MAX_FORCE_ALIGN_INPUT_SECONDS`).
    public nonisolated let maxChunkDuration: Double
    /// Windowing and plateau repair for `align(_:text:language:)`.
    public nonisolated let safety: AlignmentSafetyOptions

    private let aligner: Qwen3ForcedAligner
    private let logMel: LogMel

    public static let defaultMaxChunkDuration = 180.0

    public init(
        folder: URL, modelName: String? = nil, maxChunkDuration: Double = defaultMaxChunkDuration,
        safety: AlignmentSafetyOptions = .init(), encoderAttention: Qwen3EncoderAttention = .windowed,
        precision: WeightPrecision? = nil
    ) throws {
        let aligner = try Qwen3ForcedAligner(folder: folder, encoderAttention: encoderAttention, precision: precision)
        self.aligner = aligner
        self.modelName = modelName ?? folder.standardizedFileURL.lastPathComponent
        self.maxChunkDuration = maxChunkDuration
        self.safety = safety
        logMel = LogMel(melBins: aligner.model.config.audio.numMelBins)
    }

    public func align(_ audio: AudioBuffer, text: String, language: Language) async throws -> [TimedWord] {
        try await WindowedAligner(base: self, options: safety).align(audio, text: text, language: language)
    }

    public nonisolated func units(of text: String, language: Language) throws -> [String] {
        try Qwen3ForcedAligner.units(of: text, language: language.name)
    }

    /// Aligns given units (e.g. from a proper Japanese/Korean segmenter) instead of splitting text.
    public func align(_ audio: AudioBuffer, units: [String]) async throws -> [TimedWord] {
        guard (1...AudioSourceInfo.maxSampleRate).contains(audio.sampleRate) else {
            throw AudioError.invalidSampleRate(audio.sampleRate)
        }
        if let bad = audio.samples.firstIndex(where: { !$0.isFinite }) {
            throw AudioError.nonFiniteSamples(source: "audio passed to \(modelName)", firstFrame: bad)
        }
        guard !units.isEmpty else { return [] }
        let mel = logMel.compute(Qwen3Recognizer.normalizedSamples(audio, sampleRate: logMel.sampleRate))
        let duration = audio.duration
        guard mel.shape[1] > 0 else { return units.map { TimedWord(text: $0, start: 0, end: 0) } }
        let alignment = try aligner.align(mel: mel, units: units)
        return Self.timedWords(alignment.units, duration: duration)
    }

    /// Aligned units as words, clamped to 0 ≤ start ≤ end ≤ `duration`; shared with the vLLM
    /// `/pooling` aligner, whose bins go through the same `Qwen3ForcedAligner.repair`.
    static func timedWords(_ units: [Qwen3AlignedUnit], duration: Double) -> [TimedWord] {
        units.map { unit in
            let start = min(max(0, unit.startSeconds), duration)
            let end = min(max(start, unit.endSeconds), duration)
            return TimedWord(text: unit.text, start: start, end: end)
        }
    }
}
