import ScribaTranscript

/// Minutes as Markdown: header facts, summary, topics with keywords, action items as a task
/// list, then the timeline. Times are `HH:MM:SS`.
public enum MinutesMarkdownWriter {
    public static func render(_ minutes: Minutes) -> String {
        var out = "# Meeting minutes\n\n"
        out += "- Duration: " + Timecode.hms(minutes.duration) + "\n"
        out += "- Language: " + (minutes.language.isEmpty ? "unknown" : minutes.language) + "\n"
        out += "- Sentences: " + String(minutes.sentences.count) + "\n"
        if !minutes.participants.isEmpty { out += "- Participants: " + minutes.participants.joined(separator: ", ") + "\n" }

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

    static func oneLine(_ text: String) -> String {
        String(text.map { $0.isNewline ? " " : $0 })
    }
}
