import ScribaTranscript

/// Minutes as Markdown: header facts, summary, topics with keywords, action items as a task
/// list, then the timeline. Times are `HH:MM:SS`. Diarized minutes add the speakers' talk time and
/// who said what (before the summary).
public enum MinutesMarkdownWriter {
    public static func render(_ minutes: Minutes) -> String {
        var out = "# Meeting minutes\n\n"
        out += "- Duration: " + Timecode.hms(minutes.duration) + "\n"
        out += "- Language: " + (minutes.language.isEmpty ? "unknown" : minutes.language) + "\n"
        out += "- Sentences: " + String(minutes.sentences.count) + "\n"
        if !minutes.participants.isEmpty { out += "- Participants: " + minutes.participants.joined(separator: ", ") + "\n" }

        out += speakerSections(minutes)

        out += "\n## Summary\n\n"
        if minutes.summary.isEmpty { out += "(nothing was said)\n" }
        for sentence in minutes.summary {
            out += "- [" + Timecode.hms(sentence.start) + "] " + oneLine(sentence.text) + "\n"
        }

        out += "\n## Topics\n\n"
        for (index, topic) in minutes.topics.enumerated() {
            out += String(index + 1) + ". " + Timecode.hms(topic.start) + " – " + Timecode.hms(topic.end)
            out += topic.keywords.isEmpty ? "\n" : ": " + topic.keywords.joined(separator: ", ") + "\n"
        }
        if minutes.topics.isEmpty { out += "(none)\n" }

        out += "\n## Action items\n\n"
        if minutes.actionItems.isEmpty { out += "(none)\n" }
        for item in minutes.actionItems {
            out += "- [ ] [" + Timecode.hms(item.start) + "] " + oneLine(item.text) + "\n"
        }

        out += "\n## Timeline\n"
        for entry in minutes.timeline {
            out += "\n### " + Timecode.hms(entry.start) + " – " + Timecode.hms(entry.end) + "\n\n"
            out += (entry.text.isEmpty ? "(silence)" : oneLine(entry.text)) + "\n"
        }
        return out
    }

    /// "## Speakers" (talk time, share of all talk) and "## Who said what"; empty when not diarized.
    static func speakerSections(_ minutes: Minutes) -> String {
        guard !minutes.speakers.isEmpty else { return "" }
        var out = "\n## Speakers\n\n"
        let total = minutes.speakers.reduce(0) { $0 + $1.seconds }
        for speaker in minutes.speakers {
            let share = total > 0 ? Int((100 * speaker.seconds / total).rounded()) : 0
            out += "- " + speaker.name + (speaker.name == speaker.label ? "" : " (" + speaker.label + ")")
                + ": " + Timecode.hms(speaker.seconds) + " (" + String(share) + " %)\n"
        }
        out += "\n## Who said what\n\n"
        for utterance in minutes.utterances {
            out += "- [" + Timecode.hms(utterance.start) + "] **" + utterance.speaker + ":** " + oneLine(utterance.text) + "\n"
        }
        return out
    }

    static func oneLine(_ text: String) -> String {
        String(text.map { $0.isNewline ? " " : $0 })
    }
}
