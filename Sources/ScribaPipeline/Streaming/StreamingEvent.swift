import ScribaTranscript

// What a live transcription reports while audio arrives. Committed words are final: a session
// never takes one back, so a caption writer can append them as they come.

public enum StreamingEvent: Sendable, Equatable {
    /// The not-yet-fixed tail of the newest hypothesis (may be empty); replaces the previous partial.
    case partial(String)
    /// Words fixed since the last `committed`, with times in seconds from the start of the stream.
    case committed([TimedWord])
    /// The stream ended: everything heard, committed words grouped into sentence segments.
    case final(Transcript)
}

/// A live transcription: audio goes in as it arrives, `step()` re-decodes what is buffered and
/// reports what changed. Implementations bound their own cost (a trimmed buffer), so a stream may
/// run for hours.
public protocol StreamingSession: Actor {
    /// Appends 16 kHz mono samples; cheap (no decoding).
    func append(_ samples: [Float])
    /// Seconds of audio appended since the last `step()` started.
    var unprocessedSeconds: Double { get }
    /// Seconds of audio appended in all.
    var receivedSeconds: Double { get }
    /// Decodes the buffered audio once; returns the new committed words and the new partial.
    func step() async throws -> [StreamingEvent]
    /// Decodes what is left, commits every remaining word and ends with `.final`.
    func finish() async throws -> [StreamingEvent]
}

/// Builds the stream's `Transcript` from its committed words: one segment per sentence (a word
/// that `SentenceGrouper` says ends a sentence closes one), so subtitle writers get sentence-sized cues.
public enum StreamingTranscript {
    public static func make(words: [TimedWord], language: String, duration: Double) -> Transcript {
        var segments: [TranscriptSegment] = []
        var current: [TimedWord] = []
        func close() {
            guard let first = current.first, let last = current.last else { return }
            segments.append(TranscriptSegment(start: first.start, end: last.end,
                                              text: Transcript.joinedWords(current.map(\.text)), words: current))
            current = []
        }
        for word in words {
            current.append(word)
            if SentenceGrouper.endsSentence(word: word.text) { close() }
        }
        close()
        return Transcript(language: language, duration: duration, segments: segments)
    }
}
