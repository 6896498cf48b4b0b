import ScribaTranscript

/// SubRip: numbered cues from the subtitle shaper, `HH:MM:SS,mmm --> HH:MM:SS,mmm`, a blank line
/// after each cue. An empty transcript gives an empty file. A diarized transcript's cues start with
/// their speaker, `SPEAKER_1: `, on every cue (as WhisperX's SRT does, so a cue read on its own still
/// says who speaks); the shaper's line limits do not count the label.
public enum SRTWriter {
    public static func render(_ transcript: Transcript, options: CueOptions = .init()) -> String {
        var out = ""
        for (index, cue) in SubtitleShaper.cues(for: transcript, options: options).enumerated() {
            out += render(cue, number: index + 1)
        }
        return out
    }

    /// One numbered cue and its blank line (live captions print cues one at a time).
    public static func render(_ cue: Cue, number: Int) -> String {
        String(number) + "\n"
            + Timecode.clock(cue.start, separator: ",") + " --> " + Timecode.clock(cue.end, separator: ",") + "\n"
            + (cue.speaker.map { $0 + ": " } ?? "") + cue.text + "\n\n"
    }
}
