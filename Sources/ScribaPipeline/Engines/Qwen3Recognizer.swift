import Foundation
import ScribaAudio
import ScribaModels
import ScribaTensor

/// `SpeechRecognizer` over a local Qwen3-ASR folder: AudioBuffer → 16 kHz, peak-normalised as the
/// reference's `normalize_audio_input` → LogMel(128) → `Qwen3ASR.transcribe` → `Recognition`.
/// An actor because the model's scratch buffers and KV cache are mutable: load one per process and
/// share it; calls run one at a time.
public actor Qwen3Recognizer: SpeechRecognizer {
    public nonisolated let modelName: String
    /// The reference's `MAX_ASR_INPUT_SECONDS`: it feeds up to 20 minutes in one call.
    public nonisolated let maxChunkDuration: Double
    /// The checkpoint's `support_languages` that Scriba's `Language` table knows.
    public nonisolated let supportedLanguages: [Language]

    let model: Qwen3ASR
    let logMel: LogMel
    private let maxNewTokens: Int?

    public static let defaultMaxChunkDuration = 1200.0

    /// - Parameters:
    ///   - folder: a Hugging Face Qwen3-ASR folder (config.json, safetensors, vocab.json, merges.txt).
    ///   - modelName: shown in logs and reports; defaults to the folder name.
    ///   - maxNewTokens: a fixed bound per call instead of `Qwen3ASR.defaultMaxNewTokens(frames:)`.
    ///   - encoderAttention: the model's own n_window_infer windows (default; 8 s in the released models) or
    ///     the whole clip (the reference's CPU path); see `Qwen3EncoderAttention`.
    ///   - precision: how the weights are held; nil keeps the checkpoint's dtype.
    public init(
        folder: URL, modelName: String? = nil, maxChunkDuration: Double = defaultMaxChunkDuration,
        maxNewTokens: Int? = nil, encoderAttention: Qwen3EncoderAttention = .windowed, precision: WeightPrecision? = nil
    ) throws {
        let model = try Qwen3ASR(folder: folder, encoderAttention: encoderAttention, precision: precision)
        self.model = model
        self.modelName = modelName ?? folder.standardizedFileURL.lastPathComponent
        self.maxChunkDuration = maxChunkDuration
        self.maxNewTokens = maxNewTokens
        logMel = LogMel(melBins: model.config.audio.numMelBins)
        supportedLanguages = model.config.supportLanguages.compactMap { Language.named($0) }
    }

    public func transcribe(_ audio: AudioBuffer, options: RecognitionOptions) async throws -> Recognition {
        guard (1...AudioSourceInfo.maxSampleRate).contains(audio.sampleRate) else {
            throw AudioError.invalidSampleRate(audio.sampleRate)
        }
        if let bad = audio.samples.firstIndex(where: { !$0.isFinite }) {
            throw AudioError.nonFiniteSamples(source: "audio passed to \(modelName)", firstFrame: bad)
        }
        let samples = Self.normalizedSamples(audio, sampleRate: logMel.sampleRate)
        let mel = logMel.compute(samples)
        // Less than one hop of audio has no frames: nothing to hear.
        guard mel.shape[1] > 0 else { return Recognition(language: "", text: "", segments: []) }
        let context = options.context?.isEmpty == false ? options.context : nil
        let result = try model.transcribe(mel: mel, language: options.language?.name, context: context, maxNewTokens: maxNewTokens,
                                          repetitionGuard: options.repetitionGuard)
        // Names the Language table does not know (an odd model output) are reported as no language.
        let code = result.language.isEmpty ? "" : (Language.named(result.language)?.code ?? "")
        let segments = result.text.isEmpty ? [] : [TranscriptSegment(start: 0, end: audio.duration, text: result.text)]
        let status: ChunkStatus = result.looped ? .repetition : result.reachedTokenLimit ? .truncated : .ok
        return Recognition(language: code, text: result.text, segments: segments, status: status,
                           recoveredLoop: result.loopDetected && !result.looped)
    }

    /// `utils:normalize_audio_input` for mono input: resample to the model rate, divide by the peak
    /// when it exceeds 1, then clip to [−1, 1].
    static func normalizedSamples(_ audio: AudioBuffer, sampleRate: Int) -> [Float] {
        var samples = audio.sampleRate == sampleRate
            ? audio.samples : Resampler.resample(audio.samples, from: audio.sampleRate, to: sampleRate)
        let peak = samples.reduce(Float(0)) { max($0, abs($1)) }
        if peak > 1 {
            for i in samples.indices { samples[i] /= peak }
        }
        for i in samples.indices { samples[i] = min(1, max(-1, samples[i])) }
        return samples
    }
}
