import ScribaTranscript

// Live captions as text, one piece per stream event: `txt` appends committed words (a line per
// sentence), `srt` prints each cue once its sentence is committed, `jsonl` one object per event
// (with the audio and wall seconds at which it was made, for latency checks). Pure: the caller
// passes the times and writes the strings.

public struct LiveCaptionWriter: Sendable {
    public enum Format: String, Sendable, CaseIterable {
        case txt, srt, jsonl
    }

    public let format: Format
    public let cueOptions: CueOptions
    /// Committed words of the sentence in progress (srt) / whether the line has text (txt).
    private var openSentence: [TimedWord] = []
    /// The current txt line's last word ("" at a line's start).
    private var lastOnLine = ""
    private var cueNumber = 0

    public init(format: Format, cueOptions: CueOptions = .init()) {
        self.format = format
        self.cueOptions = cueOptions
    }

    /// Text for newly committed words (`audioSeconds` received and `wallSeconds` elapsed when they
    /// were committed); may be empty (srt waits for the sentence's end).
    public mutating func committed(_ words: [TimedWord], audioSeconds: Double, wallSeconds: Double) -> String {
        switch format {
        case .jsonl:
            return JSONValue.object([
                ("type", .string("committed")), ("text", .string(Transcript.joinedWords(words.map(\.text)))),
                ("words", .array(words.map { .object([("word", .string($0.text)), ("start", .seconds($0.start)), ("end", .seconds($0.end))]) })),
                ("audio", .seconds(audioSeconds)), ("wall", .seconds(wallSeconds)),
            ]).compact() + "\n"
        case .txt:
            var out = ""
            for word in words {
                out += (Transcript.spaceBetween(lastOnLine, word.text) ? " " : "") + word.text
                lastOnLine = word.text
                if SentenceGrouper.endsSentence(word: word.text) {
                    out += "\n"
                    lastOnLine = ""
                }
            }
            return out
        case .srt:
            var out = ""
            for word in words {
                openSentence.append(word)
                if SentenceGrouper.endsSentence(word: word.text) { out += closeSentence() }
            }
            return out
        }
    }

    /// jsonl: the partial as an event; other formats show partials on the terminal only (nil).
    public func partial(_ text: String, audioSeconds: Double, wallSeconds: Double) -> String? {
        guard format == .jsonl else { return nil }
        return JSONValue.object([
            ("type", .string("partial")), ("text", .string(text)),
            ("audio", .seconds(audioSeconds)), ("wall", .seconds(wallSeconds)),
        ]).compact() + "\n"
    }

    /// What closes the output when the stream ends.
    public mutating func final(_ transcript: Transcript, wallSeconds: Double) -> String {
        switch format {
        case .jsonl:
            return JSONValue.object([
                ("type", .string("final")), ("language", .string(transcript.language)), ("text", .string(transcript.text)),
                ("duration", .seconds(transcript.duration)), ("wall", .seconds(wallSeconds)),
            ]).compact() + "\n"
        case .txt:
            defer { lastOnLine = "" }
            return lastOnLine.isEmpty ? "" : "\n"
        case .srt:
            return closeSentence()
        }
    }

    private mutating func closeSentence() -> String {
        guard let first = openSentence.first, let last = openSentence.last else { return "" }
        let sentence = Transcript(language: "", duration: last.end, segments: [
            TranscriptSegment(start: first.start, end: last.end, text: Transcript.joinedWords(openSentence.map(\.text)), words: openSentence),
        ])
        openSentence = []
        var out = ""
        for cue in SubtitleShaper.cues(for: sentence, options: cueOptions) {
            cueNumber += 1
            out += SRTWriter.render(cue, number: cueNumber)
        }
        return out
    }
}
