import ScribaTranscript

/// Plain text, one sentence per line, no times. Empty transcript → empty string. A diarized
/// transcript's lines start with their speaker, `SPEAKER_1: ` (as SRT's cues).
public enum TXTWriter {
    public static func render(_ transcript: Transcript) -> String {
        SentenceGrouper.sentences(in: transcript).map { ($0.speaker.map { $0 + ": " } ?? "") + oneLine($0.text) + "\n" }.joined()
    }

    static func oneLine(_ text: String) -> String {
        String(text.map { $0.isNewline ? " " : $0 })
    }
}
