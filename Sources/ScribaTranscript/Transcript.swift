// The one value every engine produces and every writer consumes.
//
// Times are seconds as `Double` from the start of the input; nothing here rounds them — writers
// round once, when they print (see `Timecode` in ScribaFormats).
//
// Codable: the synthesized conformances are used; for a stable key order encode with
// `JSONEncoder.outputFormatting = [.sortedKeys]`. ScribaFormats' `JSONWriter` does not use
// Codable — it writes keys in a fixed, documented order with millisecond-rounded times.

/// One recognised word (or, for scripts without spaces, one character or token) with its time
/// span. `text` is what the aligner returned: usually cleaned of punctuation.
public struct TimedWord: Sendable, Hashable, Codable {
    public var text: String
    public var start: Double
    public var end: Double
    /// 0...1 when the engine reports it (Whisper word probabilities); `nil` otherwise.
    public var confidence: Double?
    /// The aligner could not place this word (its times stuck on a plateau even on a narrower
    /// window): start/end are interpolated from its neighbours. Omitted from JSON when false.
    public var interpolated: Bool
    /// Who said it (`SPEAKER_1`, …) when the transcript was diarized; nil otherwise (and then absent
    /// from every output).
    public var speaker: String?

    public init(text: String, start: Double, end: Double, confidence: Double? = nil, interpolated: Bool = false,
                speaker: String? = nil) {
        self.text = text
        self.start = start
        self.end = end
        self.confidence = confidence
        self.interpolated = interpolated
        self.speaker = speaker
    }

    /// JSON names the word `word` (as WhisperX, the OpenAI API and the original pipeline do); `text`,
    /// the name files written before it used, is still read.
    private enum CodingKeys: String, CodingKey { case word, text, start, end, confidence, interpolated, speaker }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        text = try c.decodeIfPresent(String.self, forKey: .word) ?? c.decode(String.self, forKey: .text)
        start = try c.decode(Double.self, forKey: .start)
        end = try c.decode(Double.self, forKey: .end)
        confidence = try c.decodeIfPresent(Double.self, forKey: .confidence)
        interpolated = try c.decodeIfPresent(Bool.self, forKey: .interpolated) ?? false
        speaker = try c.decodeIfPresent(String.self, forKey: .speaker)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(text, forKey: .word)
        try c.encode(start, forKey: .start)
        try c.encode(end, forKey: .end)
        try c.encodeIfPresent(confidence, forKey: .confidence)
        if interpolated { try c.encode(true, forKey: .interpolated) }
        try c.encodeIfPresent(speaker, forKey: .speaker)
    }
}

/// A stretch of speech as the engine returned it (typically one VAD chunk).
public struct TranscriptSegment: Sendable, Hashable, Codable {
    public var start: Double
    public var end: Double
    /// The ASR text with its punctuation, as decoded.
    public var text: String
    /// Word timings; empty when no aligner ran.
    public var words: [TimedWord]
    /// Who spoke it when the transcript was diarized (a diarized segment holds one speaker's words);
    /// nil otherwise.
    public var speaker: String?

    public init(start: Double, end: Double, text: String, words: [TimedWord] = [], speaker: String? = nil) {
        self.start = start
        self.end = end
        self.text = text
        self.words = words
        self.speaker = speaker
    }
}

/// What happened to one chunk of audio, so a reader can tell silence from a decoding failure.
/// `ok` and `empty` are complete; the others mean part of the chunk's speech may be missing.
public enum ChunkStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// Transcribed; any guard that fired recovered.
    case ok
    /// No speech: silent by the VAD (not sent to the model), or the model heard none.
    case empty
    /// Decoding hit the chunk's token budget: the text may stop early.
    case truncated
    /// Decoding looped and the retry looped too: the looping tail was cut off.
    case repetition
    /// The engine failed on this chunk (the note says why).
    case failed
    /// The text is complete but the aligner failed on it: its times are the engine's own segment
    /// times (or the chunk's span), with no word times. Partial, so the CLI exits 7 unless allowed.
    case unaligned

    /// Whether the chunk's text may be missing speech, or its times the aligner's precision.
    public var isPartial: Bool { self != .ok && self != .empty }
}

public struct ChunkCoverage: Sendable, Hashable, Codable {
    public var start: Double
    public var end: Double
    public var status: ChunkStatus
    /// What a guard did here ("silent (VAD): not sent to the model", "loop recovered", ...), or the
    /// failure; nil when nothing happened.
    public var note: String?

    public init(start: Double, end: Double, status: ChunkStatus, note: String? = nil) {
        self.start = start
        self.end = end
        self.status = status
        self.note = note
    }
}

public struct Transcript: Sendable, Hashable, Codable {
    /// Language code as `Language.code` spells it ("en", "zh"); empty when unknown.
    public var language: String
    /// How sure the engine was of `language` when it detected it (Whisper's language token
    /// probability); nil when the language was given or the engine does not say.
    public var languageProbability: Double?
    /// Length of the input audio in seconds (not the end of the last word).
    public var duration: Double
    /// The whole text: segment texts joined (see `joinedText(of:)`).
    public var text: String
    public var segments: [TranscriptSegment]
    /// Per-chunk coverage; `nil` when the producer did not track chunks.
    public var chunks: [ChunkCoverage]?
    /// Who spoke when (diarization over the whole input), speakers numbered by first appearance;
    /// nil when the transcript was not diarized. `speakers` sums it up.
    public var turns: [SpeakerTurn]?

    public init(
        language: String, duration: Double, text: String? = nil,
        segments: [TranscriptSegment], chunks: [ChunkCoverage]? = nil, languageProbability: Double? = nil,
        turns: [SpeakerTurn]? = nil
    ) {
        self.language = language
        self.languageProbability = languageProbability
        self.duration = duration
        self.text = text ?? Transcript.joinedText(of: segments.map(\.text))
        self.segments = segments
        self.chunks = chunks
        self.turns = turns
    }

    private enum CodingKeys: String, CodingKey {
        case language, duration, text, segments, chunks, turns
        case languageProbability = "language_probability"
    }

    /// Chunks whose text may be missing speech (truncated, repetition, failed) or word times
    /// (unaligned), in order.
    public var partialChunks: [ChunkCoverage] { (chunks ?? []).filter { $0.status.isPartial } }

    /// Whether every chunk is complete (`ok` or `empty`).
    public var isComplete: Bool { partialChunks.isEmpty }

    /// The `Language` for `language`, when it is one Scriba knows.
    public var knownLanguage: Language? { Language.known.first { $0.code == language } }

    /// The English name the model prints for `language` ("Chinese"), as the original pipeline's
    /// answers give it; the code itself when Scriba has no name for it, empty when unknown.
    public var languageName: String { knownLanguage?.name ?? language }

    /// Every word of every segment, in order.
    public var words: [TimedWord] { segments.flatMap(\.words) }

    /// Joins segment texts the way the languages write: no space where either side of the join
    /// is a script written without spaces (Chinese, Japanese, Thai), one space otherwise.
    public static func joinedText(of parts: [String]) -> String {
        var result = ""
        for part in parts {
            let piece = part.trimmingWhitespace()
            if piece.isEmpty { continue }
            if let last = result.last, let first = piece.first,
               !(ScriptClass.isSpaceless(last) || ScriptClass.isSpaceless(first)) {
                result.append(" ")
            }
            result += piece
        }
        return result
    }
}

extension String {
    /// Trims Unicode whitespace and newlines without Foundation.
    public func trimmingWhitespace() -> String {
        guard let first = firstIndex(where: { !$0.isWhitespace }),
              let last = lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(self[first...last])
    }
}
