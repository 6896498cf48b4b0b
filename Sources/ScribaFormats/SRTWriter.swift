import ScribaTranscript

/// SubRip: numbered cues from the subtitle shaper, `HH:MM:SS,mmm --> HH:MM:SS,mmm`, a blank line
/// after each cue. An empty transcript gives an empty file.
public enum SRTWriter {
    public static func render(_ transcript: Transcript, options: CueOptions = .init()) -> String {
        var out = ""
        for (index, cue) in SubtitleShaper.cues(for: transcript, options: options).enumerated() {
            out += String(index + 1) + "\n"
            out += Timecode.clock(cue.start, separator: ",") + " --> " + Timecode.clock(cue.end, separator: ",") + "\n"
            out += cue.text + "\n\n"
        }
        return out
    }
}
