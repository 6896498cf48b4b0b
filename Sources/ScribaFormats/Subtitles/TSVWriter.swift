import ScribaTranscript

/// Tab-separated, as Whisper's TSV writer: a `start\tend\ttext` header, then one row per sentence
/// with integer milliseconds. Tabs and line breaks inside the text become spaces. A diarized
/// transcript gets a `speaker` column before the text (`start\tend\tspeaker\ttext`).
public enum TSVWriter {
    public static func render(_ transcript: Transcript) -> String {
        let diarized = transcript.turns != nil
        var out = diarized ? "start\tend\tspeaker\ttext\n" : "start\tend\ttext\n"
        for sentence in SentenceGrouper.sentences(in: transcript) {
            let text = String(sentence.text.map { $0 == "\t" || $0.isNewline ? " " : $0 })
            out += String(Timecode.milliseconds(sentence.start)) + "\t"
                + String(Timecode.milliseconds(sentence.end)) + "\t" + (diarized ? (sentence.speaker ?? "") + "\t" : "") + text + "\n"
        }
        return out
    }
}
