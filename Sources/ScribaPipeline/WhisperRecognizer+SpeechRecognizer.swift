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
    public var maxChunkDuration: Double { 30 }

    public func transcribe(_ audio: AudioBuffer, options: RecognitionOptions) async throws -> Recognition {
        var whisperOptions = WhisperOptions()
        whisperOptions.language = options.language?.code
        whisperOptions.wordTimestamps = options.wordTimestamps
        whisperOptions.initialPrompt = options.contextText
        whisperOptions.repetitionGuard = options.repetitionGuard
        whisperOptions.maxTokensPerSecond = WhisperOptions.budgetTokensPerSecond
        let result = try transcribe(audio, options: whisperOptions)
        let segments = result.segments.compactMap { segment -> TranscriptSegment? in
            let text = segment.text.trimmingWhitespace()
            guard !text.isEmpty else { return nil }
            let words = Self.snapped((segment.words ?? []).map {
                TimedWord(text: $0.word.trimmingWhitespace(), start: $0.start, end: $0.end, confidence: $0.probability)
            }, toTimestampStart: segment.timestampStart)
            return TranscriptSegment(start: words.first?.start ?? segment.start, end: segment.end, text: text, words: words)
        }
        return Recognition(
            language: segments.isEmpty ? "" : result.language,
            languageProbability: options.language == nil ? result.languageProbability : nil,
            text: Transcript.joinedText(of: segments.map(\.text)),
            segments: segments,
            status: result.loopedWindows > 0 ? .repetition : result.truncatedWindows > 0 ? .truncated : .ok,
            recoveredLoop: result.recoveredLoops > 0)
    }

    /// faster-whisper starts a segment at its first word's DTW time. After a pause the DTW can put
    /// the first words on the previous sentence's last breath, a second or more before the
    /// segment's own timestamp token, which is where the speech starts. (Not when the segment opens
    /// a window: its timestamp is then the window start, 0.00.) When the first word starts more
    /// than `margin` before the timestamp
    /// (faster-whisper's own 0.5 s), the words that end before the timestamp and the first one that
    /// ends after it are spread from the timestamp to that word's end.
    static func snapped(_ words: [TimedWord], toTimestampStart start: Double, margin: Double = 0.5) -> [TimedWord] {
        guard let first = words.first, start - first.start > margin,
              let straddling = words.firstIndex(where: { $0.end > start }), straddling > 0 else { return words }
        var result = words
        result.spread(0...straddling, from: start, to: words[straddling].end)
        return result
    }
}
