import ScribaTranscript

/// What a Qwen3 live session may commit: text that the newest output keeps fixed (all but its last
/// few tokens) and that starts with everything committed before, so captions only ever append.
/// Positions are Unicode scalars of the segment's text from its start.
struct StableFrontier {
    /// The committed text of the segment.
    private(set) var committed: [Unicode.Scalar] = []

    /// New words from `stable` (the fixed text, whose first `offset` scalars were dropped), or none
    /// when it disagrees with what was committed. Not `final`: only words followed by a space or a
    /// spaceless-script character, so a word cut at a token boundary waits.
    mutating func advance(stable: [Unicode.Scalar], offset: Int, final: Bool) -> [String] {
        let known = committed.count - offset
        guard known >= 0, known <= stable.count, stable[..<known].elementsEqual(committed[offset...]) else {
            return final ? commitRemainder(of: stable, offset: offset) : []
        }
        var new = Array(stable[known...])
        if !final {
            guard let last = new.lastIndex(where: { $0.properties.isWhitespace || ScriptClass.isSpaceless(Character($0)) }) else { return [] }
            new = Array(new[...last])
        }
        committed += new
        return Self.words(new)
    }

    /// The hypothesis' text after the committed part (or all of it when they disagree).
    func partial(hypothesis: [Unicode.Scalar], offset: Int) -> String {
        let known = committed.count - offset
        guard known >= 0, known <= hypothesis.count, hypothesis[..<known].elementsEqual(committed[offset...]) else {
            return String(String.UnicodeScalarView(hypothesis)).trimmingWhitespace()
        }
        return String(String.UnicodeScalarView(hypothesis[known...])).trimmingWhitespace()
    }

    /// At the end, when the last output rewrote committed text: its words past as many words as
    /// were committed.
    private mutating func commitRemainder(of stable: [Unicode.Scalar], offset: Int) -> [String] {
        let done = Self.words(committed[offset...]).count
        let words = Self.words(stable[...])
        committed += stable
        return Array(words.dropFirst(done))
    }

    /// Words of `text`: runs between spaces; each spaceless-script character (Chinese, Japanese, …)
    /// is a word, with the punctuation after it.
    static func words(_ text: ArraySlice<Unicode.Scalar>) -> [String] {
        var words: [String] = []
        var current = String.UnicodeScalarView()
        func close() {
            if !current.isEmpty { words.append(String(current)) }
            current = String.UnicodeScalarView()
        }
        for scalar in text {
            let character = Character(scalar)
            if scalar.properties.isWhitespace {
                close()
            } else if ScriptClass.isSpaceless(character) {
                if !ScriptClass.isWordCharacter(character), current.isEmpty, let last = words.popLast() {
                    current = String.UnicodeScalarView(last.unicodeScalars)
                    current.append(scalar)
                } else {
                    close()
                    current.append(scalar)
                }
                close()
            } else {
                current.append(scalar)
            }
        }
        close()
        return words
    }

    static func words(_ text: [Unicode.Scalar]) -> [String] { words(text[...]) }
}
