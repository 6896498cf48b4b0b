import ScribaTranscript

/// The seed's timestamped form: `[HH:MM:SS.mmm - HH:MM:SS.mmm] text`, one sentence per line.
public enum SimpleWriter {
    public static func render(_ transcript: Transcript) -> String {
        SentenceGrouper.sentences(in: transcript).map { sentence in
            "[" + Timecode.clock(sentence.start, separator: ".") + " - "
                + Timecode.clock(sentence.end, separator: ".") + "] " + TXTWriter.oneLine(sentence.text) + "\n"
        }.joined()
    }
}
