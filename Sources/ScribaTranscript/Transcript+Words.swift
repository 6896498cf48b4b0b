// Joining recognised words back into text, for live captions that print words as they are fixed.

extension Transcript {
    /// Whether `next`, written after `previous`, takes a space before it: not where either side is
    /// a script written without spaces (as `joinedText(of:)`), and not before a piece that starts
    /// with a hyphen (Whisper's words arrive trimmed, "ill" + "-disposed").
    public static func spaceBetween(_ previous: String, _ next: String) -> Bool {
        guard let last = previous.last, let first = next.first else { return false }
        if ScriptClass.isSpaceless(last) || ScriptClass.isSpaceless(first) { return false }
        return !(first == "-" && next.count > 1)
    }

    /// Words joined as they were written (see `spaceBetween`).
    public static func joinedWords(_ words: [String]) -> String {
        var text = ""
        for word in words.map({ $0.trimmingWhitespace() }) where !word.isEmpty {
            if spaceBetween(text, word) { text += " " }
            text += word
        }
        return text
    }
}
