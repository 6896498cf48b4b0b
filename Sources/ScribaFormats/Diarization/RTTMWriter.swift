import ScribaTranscript

// RTTM (NIST Rich Transcription Time Marked), the format diarization scorers read (pyannote.metrics,
// dscore, md-eval): one line per speaker turn,
//   SPEAKER <file-id> 1 <start> <duration> <NA> <NA> <speaker> <NA> <NA>
// with times in seconds to the millisecond. The file id must not contain spaces: they become "_".

public enum RTTMWriter {
    public static func render(_ turns: [SpeakerTurn], fileID: String, speakerNames: [String] = []) -> String {
        let id = fileID.isEmpty ? "audio" : token(fileID)
        return turns.map { turn in
            let name = turn.speaker < speakerNames.count ? speakerNames[turn.speaker] : SpeakerTurn.label(turn.speaker)
            let start = Timecode.milliseconds(turn.start), end = Timecode.milliseconds(turn.end)
            return "SPEAKER \(id) 1 \(Timecode.decimalSeconds(Double(start) / 1000)) \(Timecode.decimalSeconds(Double(end - start) / 1000)) <NA> <NA> \(token(name)) <NA> <NA>\n"
        }.joined()
    }

    /// RTTM fields are space-separated: spaces inside a name become "_".
    static func token(_ text: String) -> String { String(text.map { $0.isWhitespace ? "_" : $0 }) }
}
