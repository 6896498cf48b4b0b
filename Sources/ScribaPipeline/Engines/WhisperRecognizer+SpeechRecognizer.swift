// Whisper as the pipeline's `SpeechRecognizer`: options in, `Recognition` out, with word times from
// Whisper's own cross-attention alignment when asked for.

import ScribaAudio
import ScribaModels

extension WhisperRecognizer: SpeechRecognizer {
    /// "whisper-base" etc., named by the model width as OpenAI's sizes are.
    public var modelName: String {
        let sizes = [384: "tiny", 512: "base", 768: "small", 1024: "medium", 1280: "large"]
        return "whisper-" + (sizes[model.config.modelDim] ?? "d\(model.config.modelDim)")
    }

    /// One 30-second window; longer audio is cut at pauses by the pipeline, as WhisperX does.
    public var maxChunkDuration: Double { Self.windowSeconds }

    /// Whisper hears 30 s windows; a longer chunk would be cut by its own window loop instead of at a pause.
    public static let windowSeconds = 30.0

    public func transcribe(_ audio: AudioBuffer, options: RecognitionOptions) async throws -> Recognition {
        var whisperOptions = WhisperOptions()
        whisperOptions.language = options.language?.code
        whisperOptions.wordTimestamps = options.wordTimestamps
        whisperOptions.initialPrompt = options.contextText
        whisperOptions.repetitionGuard = options.repetitionGuard
        whisperOptions.maxTokensPerSecond = WhisperOptions.budgetTokensPerSecond
        if !options.temperatureFallback { whisperOptions.temperatures = [0] }
        whisperOptions.suppressBareSpace = options.suppressBareSpace
        let result = try transcribe(audio, options: whisperOptions)
        let segments = result.segments.compactMap { segment -> TranscriptSegment? in
            let text = segment.text.trimmingWhitespace()
            guard !text.isEmpty else { return nil }
            let words = (segment.words ?? []).map {
                TimedWord(text: $0.word.trimmingWhitespace(), start: $0.start, end: $0.end, confidence: $0.probability)
            }
            return TranscriptSegment(start: segment.start, end: segment.end, text: text, words: words)
        }
        return Recognition(
            language: segments.isEmpty ? "" : result.language,
            languageProbability: options.language == nil ? result.languageProbability : nil,
            text: Transcript.joinedText(of: segments.map(\.text)),
            segments: segments,
            status: result.loopedWindows > 0 ? .repetition : result.truncatedWindows > 0 ? .truncated : .ok,
            recoveredLoop: result.recoveredLoops > 0)
    }
}
