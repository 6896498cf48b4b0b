import ScribaTranscript

/// WebVTT: `WEBVTT` header, cues from the subtitle shaper with `.` before the milliseconds.
/// `&`, `<` and `>` are escaped as the spec requires for cue text (this also keeps "-->" out).
/// A diarized transcript's cues open with a voice tag naming the speaker, `<v Speaker 1>`.
public enum VTTWriter {
    public static func render(_ transcript: Transcript, options: CueOptions = .init()) -> String {
        var out = "WEBVTT\n"
        for cue in SubtitleShaper.cues(for: transcript, options: options) {
            out += "\n" + Timecode.clock(cue.start, separator: ".") + " --> " + Timecode.clock(cue.end, separator: ".") + "\n"
            out += (cue.speaker.map { "<v " + escape(SpeakerTurn.displayName($0)) + ">" } ?? "")
                + cue.lines.map(escape).joined(separator: "\n") + "\n"
        }
        return out
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            default: out.append(character)
            }
        }
        return out
    }
}
