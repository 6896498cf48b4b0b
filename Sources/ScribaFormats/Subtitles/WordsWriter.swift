import ScribaTranscript

/// Word-level form: `word(start-end)` with seconds to three decimals, items separated by one space,
/// one sentence per line. A word is shown as it appears in the text, with its punctuation
/// ("Hello,(0.000-0.420)"). A sentence without word timings prints as one item.
public enum WordsWriter {
    public static func render(_ transcript: Transcript) -> String {
        SentenceGrouper.sentences(in: transcript).map { sentence in
            let items: [(String, Double, Double)] = sentence.words.isEmpty
                ? [(sentence.text, sentence.start, sentence.end)]
                : sentence.words.map { ($0.text, $0.start, $0.end) }
            return items.map { text, start, end in
                TXTWriter.oneLine(text) + "(" + Timecode.decimalSeconds(start) + "-" + Timecode.decimalSeconds(end) + ")"
            }.joined(separator: " ") + "\n"
        }.joined()
    }
}
