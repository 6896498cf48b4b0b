import ScribaTranscript

/// Plain text, one sentence per line, no times. Empty transcript → empty string.
public enum TXTWriter {
    public static func render(_ transcript: Transcript) -> String {
        SentenceGrouper.sentences(in: transcript).map { oneLine($0.text) + "\n" }.joined()
    }

    static func oneLine(_ text: String) -> String {
        String(text.map { $0.isNewline ? " " : $0 })
    }
}
