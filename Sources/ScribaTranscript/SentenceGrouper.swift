// Groups aligned words into sentences using the punctuation of the ASR text.
//
// The aligner returns words cleaned of punctuation ("你好，世界。Hello, world!" → 你 好 世 界 Hello
// world). Each word is found again in the original text by scanning it in order, which recovers
// the punctuation and spacing around it: closing punctuation joins the word before it, opening
// brackets and quotes join the word after it. Sentences end at a word whose trailing punctuation
// holds a terminal mark (。！？.!? …). Sentences never span segments: a segment is one decoded
// chunk, and its end is the only boundary we know when the engine wrote no punctuation.

/// A word as it appears in the text: its original spelling with attached punctuation.
public struct SentenceWord: Sendable, Hashable {
    /// Original text of the word with leading opening marks and trailing punctuation ("“Hello,").
    public var text: String
    public var start: Double
    public var end: Double
    public var confidence: Double?
    /// Whether the original text had whitespace before this word; joins use it, so Chinese and
    /// Japanese never get spaces inserted.
    public var spaceBefore: Bool
    /// The word's speaker when the transcript was diarized.
    public var speaker: String?

    public init(text: String, start: Double, end: Double, confidence: Double? = nil, spaceBefore: Bool, speaker: String? = nil) {
        self.text = text
        self.start = start
        self.end = end
        self.confidence = confidence
        self.spaceBefore = spaceBefore
        self.speaker = speaker
    }
}

public struct Sentence: Sendable, Hashable {
    public var text: String
    /// First word's start (or the estimated start when the segment had no words).
    public var start: Double
    /// Last word's end.
    public var end: Double
    /// Empty when the segment had no word timings.
    public var words: [SentenceWord]
    /// Its segment's speaker when the transcript was diarized (segments hold one speaker each).
    public var speaker: String?

    public init(text: String, start: Double, end: Double, words: [SentenceWord] = [], speaker: String? = nil) {
        self.text = text
        self.start = start
        self.end = end
        self.words = words
        self.speaker = speaker
    }
}

public enum SentenceGrouper {
    /// Abbreviations whose final "." does not end an English sentence.
    public static let abbreviations: Set<String> = [
        "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "vs", "etc", "e.g", "i.e", "no", "fig",
    ]

    /// Sentences of every segment, in order.
    public static func sentences(in transcript: Transcript) -> [Sentence] {
        transcript.segments.flatMap { sentences(of: $0) }
    }

    /// Sentences of one segment. Without word timings the text is split at terminal punctuation
    /// and the segment's time is shared out in proportion to character counts (an estimate).
    public static func sentences(of segment: TranscriptSegment) -> [Sentence] {
        var result = segment.words.isEmpty
            ? estimatedSentences(text: segment.text, start: segment.start, end: segment.end)
            : sentences(text: segment.text, words: segment.words)
        if let speaker = segment.speaker {
            for index in result.indices { result[index].speaker = speaker }
        }
        return result
    }

    /// Maps `words` onto `text` and cuts sentences at terminal punctuation.
    public static func sentences(text: String, words: [TimedWord]) -> [Sentence] {
        let located = locate(words: words, in: text)
        var result: [Sentence] = []
        var current: [SentenceWord] = []
        for item in located {
            current.append(item.word)
            if item.endsSentence {
                result.append(makeSentence(current))
                current.removeAll()
            }
        }
        if !current.isEmpty { result.append(makeSentence(current)) }
        return result
    }

    /// Joins words back into text: a space only where the original had one.
    public static func join(_ words: some Sequence<SentenceWord>) -> String {
        var text = ""
        for word in words {
            if word.spaceBefore && !text.isEmpty { text.append(" ") }
            text += word.text
        }
        return text
    }

    // MARK: - Locating words in the text

    struct Located {
        var word: SentenceWord
        var endsSentence: Bool
    }

    /// How far past the cursor a word is searched for: aligners drop a word now and then (fillers,
    /// numbers they could not read); a bounded window keeps one bad word from eating the text.
    static let searchWindow = 48

    static func locate(words: [TimedWord], in text: String) -> [Located] {
        let chars = Array(text)
        let lower = chars.map { String($0).lowercased() }
        // Core character range of each word in `chars`, nil when not found.
        var cores: [Range<Int>?] = []
        cores.reserveCapacity(words.count)
        var cursor = 0
        for word in words {
            let key = word.text.filter(ScriptClass.isWordCharacter).map { String($0).lowercased() }
            if !key.isEmpty, let range = find(key, in: chars, lower: lower, from: cursor) {
                cores.append(range)
                cursor = range.upperBound
            } else {
                cores.append(nil)
            }
        }

        // Split the text between consecutive found words into trailing (previous) and leading (next).
        let found = cores.indices.filter { cores[$0] != nil }
        var display = [Range<Int>?](repeating: nil, count: words.count)
        var spaceBefore = [Bool](repeating: false, count: words.count)
        for (n, index) in found.enumerated() {
            let core = cores[index]!
            var lower = core.lowerBound
            var upper = core.upperBound
            if n == 0 {
                lower = chars[0..<core.lowerBound].firstIndex(where: { !$0.isWhitespace }) ?? core.lowerBound
            } else {
                let previous = cores[found[n - 1]]!
                lower = leadingStart(chars, gap: previous.upperBound..<core.lowerBound)
                spaceBefore[index] = chars[previous.upperBound..<core.lowerBound].contains(where: \.isWhitespace)
            }
            if n == found.count - 1 {
                upper = chars.count
            } else {
                let next = cores[found[n + 1]]!
                upper = leadingStart(chars, gap: core.upperBound..<next.lowerBound)
            }
            // Trim whitespace at the end of the trailing part.
            while upper > core.upperBound && chars[upper - 1].isWhitespace { upper -= 1 }
            display[index] = lower..<upper
        }

        var result: [Located] = []
        result.reserveCapacity(words.count)
        for (index, word) in words.enumerated() {
            if let range = display[index], let core = cores[index] {
                let trailing = chars[core.upperBound..<range.upperBound]
                var ends = endsSentence(trailing: trailing, core: String(chars[core]))
                // "3.5" or "example.com" split into two aligned words: a "." with a Latin letter
                // or digit right after it is not a sentence end (a CJK "。" before Han text is).
                if ends, trailing.allSatisfy({ $0 == "." }), range.upperBound < chars.count,
                   ScriptClass.isWordCharacter(chars[range.upperBound]),
                   !ScriptClass.isSpaceless(chars[range.upperBound]) {
                    ends = false
                }
                let piece = SentenceWord(
                    text: String(chars[range]), start: word.start, end: word.end,
                    confidence: word.confidence, spaceBefore: spaceBefore[index], speaker: word.speaker)
                result.append(Located(word: piece, endsSentence: ends))
            } else {
                // Not in the text: keep the aligner's spelling; guess spacing from its script.
                let first = word.text.first
                let spaced = first.map { !ScriptClass.isSpaceless($0) } ?? false
                let piece = SentenceWord(
                    text: word.text, start: word.start, end: word.end,
                    confidence: word.confidence, spaceBefore: spaced, speaker: word.speaker)
                let ends = word.text.last.map { ScriptClass.sentenceTerminals.contains($0) } ?? false
                result.append(Located(word: piece, endsSentence: ends))
            }
        }
        return result
    }

    /// Finds `key` (lowercased word characters) at or after `from`, allowing punctuation inside the
    /// word in the text ("don't" for "dont", "U.S." for "US"). Returns the character range.
    static func find(_ key: [String], in chars: [Character], lower: [String], from: Int) -> Range<Int>? {
        let limit = min(chars.count, from + searchWindow + key.count)
        var start = from
        while start < limit {
            if lower[start] == key[0] {
                var k = 1, q = start + 1
                while k < key.count && q < chars.count {
                    if lower[q] == key[k] {
                        k += 1
                        q += 1
                    } else if !chars[q].isWhitespace && !ScriptClass.isWordCharacter(chars[q]) {
                        q += 1
                    } else {
                        break
                    }
                }
                if k == key.count { return start..<q }
            }
            start += 1
        }
        return nil
    }

    /// Where the next word's leading part begins inside `gap`: after the last whitespace run, or,
    /// with no whitespace, at the run of opening marks just before the next word.
    static func leadingStart(_ chars: [Character], gap: Range<Int>) -> Int {
        if let lastSpace = chars[gap].lastIndex(where: \.isWhitespace) { return lastSpace + 1 }
        var start = gap.upperBound
        while start > gap.lowerBound && ScriptClass.isOpening(chars[start - 1]) { start -= 1 }
        return start
    }

    /// Whether one word as an engine wrote it ("was.", "said?”", "了。") ends a sentence: the same
    /// rule as in a text ("Mr." does not).
    public static func endsSentence(word: String) -> Bool {
        let chars = Array(word.trimmingWhitespace())
        let coreEnd = chars.lastIndex(where: ScriptClass.isWordCharacter).map { $0 + 1 } ?? 0
        return endsSentence(trailing: chars[coreEnd...], core: String(chars[..<coreEnd]))
    }

    static func endsSentence(trailing: ArraySlice<Character>, core: String) -> Bool {
        let terminals = trailing.filter { ScriptClass.sentenceTerminals.contains($0) }
        if terminals.isEmpty { return false }
        // "Dr." / "e.g." end a sentence only when more than the abbreviation's dot follows.
        if terminals == ["."] && trailing.first == "." && abbreviations.contains(core.lowercased()) {
            return false
        }
        return true
    }

    static func makeSentence(_ words: [SentenceWord]) -> Sentence {
        Sentence(text: join(words), start: words.first!.start, end: words.last!.end, words: words)
    }

    /// Splits text at terminal punctuation and spreads `start...end` by character count.
    static func estimatedSentences(text: String, start: Double, end: Double) -> [Sentence] {
        var pieces: [String] = []
        var current = ""
        var previousTerminal = false
        for character in text {
            let terminal = ScriptClass.sentenceTerminals.contains(character)
            if previousTerminal && !terminal && !isClosing(character) {
                pieces.append(current)
                current = ""
            }
            current.append(character)
            previousTerminal = terminal || (previousTerminal && isClosing(character))
        }
        pieces.append(current)
        let trimmed = pieces.map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
        let weights = trimmed.map { Double($0.filter { !$0.isWhitespace }.count) }
        let total = weights.reduce(0, +)
        guard total > 0 else { return [] }
        var result: [Sentence] = []
        var consumed = 0.0
        for (piece, weight) in zip(trimmed, weights) {
            let s = start + (end - start) * consumed / total
            consumed += weight
            let e = start + (end - start) * consumed / total
            result.append(Sentence(text: piece, start: s, end: e))
        }
        return result
    }

    private static func isClosing(_ character: Character) -> Bool {
        guard let scalar = character.unicodeScalars.first else { return false }
        switch scalar.properties.generalCategory {
        case .closePunctuation, .finalPunctuation: return true
        default: return character == "\"" || character == "'"
        }
    }
}
