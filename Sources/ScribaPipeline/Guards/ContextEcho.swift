// The known context leak: given names or a topic in the system turn, Qwen3-ASR (and Whisper given an
// initial prompt) sometimes writes the context itself into the transcript. A transcript that holds
// the whole context verbatim (case, punctuation and spacing aside) is re-decoded without it.

enum ContextEcho {
    /// Lower-cased letters and digits, every other run of characters one space; spaceless scripts
    /// are spaced per character so both kinds compare by units.
    static func normalized(_ text: String) -> [Substring] {
        var spaced = ""
        for character in text.lowercased() {
            if character.isLetter || character.isNumber {
                if ScriptClass.isSpaceless(character) {
                    spaced += " \(character) "
                } else {
                    spaced.append(character)
                }
            } else {
                spaced += " "
            }
        }
        return spaced.split(separator: " ")
    }

    /// Whether `text` contains `context` word for word and the context is long enough (≥ `minWords`
    /// words, or characters in scripts without spaces) that saying it by chance is implausible —
    /// a single hotword appearing in the transcript is the point of giving it.
    static func isEcho(_ text: String, context: String, minWords: Int) -> Bool {
        let needle = normalized(context)
        guard needle.count >= max(1, minWords) else { return false }
        let haystack = normalized(text)
        guard haystack.count >= needle.count else { return false }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if haystack[start..<(start + needle.count)].elementsEqual(needle) { return true }
        }
        return false
    }
}
