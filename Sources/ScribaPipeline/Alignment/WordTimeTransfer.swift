import Foundation

/// Alignment without a forced aligner (`--engine whisper`, `/align` and `scriba align` alike): the
/// recogniser transcribes the audio with its own word times (Whisper's come from cross-attention
/// DTW, the same timing faster-whisper reports), and each word of the given text takes the times of
/// the recognised word it matches. Words the recogniser missed or spelt differently share the span
/// between their matched neighbours, so every given word gets a time and the order is kept.
public enum WordTimeTransfer {
    /// How far ahead in the recognised words a given word may find its match: enough to step over
    /// a few inserted or misheard words, small enough to stay linear on long texts.
    static let lookahead = 12

    /// The given text's words (punctuation trimmed, punctuation-only pieces dropped), or its
    /// characters for languages written without spaces.
    public static func units(of text: String, language: Language) -> [String] {
        if !language.isWrittenWithSpaces {
            return text.filter { $0.isLetter || $0.isNumber }.map(String.init)
        }
        return text.split(whereSeparator: \.isWhitespace)
            .map { $0.trimmingCharacters(in: .punctuationCharacters.union(.symbols)) }
            .filter { !key($0).isEmpty }
    }

    /// What two spellings must share to match: lowercased letters and digits.
    static func key(_ word: String) -> String {
        String(word.lowercased().filter { $0.isLetter || $0.isNumber })
    }

    /// Times for `units` from `recognized` (ordered). `duration` bounds words after the last match.
    public static func transfer(_ units: [String], onto recognized: [TimedWord], language: Language, duration: Double) -> [TimedWord] {
        let pieces = language.isWrittenWithSpaces ? recognized : recognized.flatMap(characters)
        let keys = pieces.map { key($0.text) }
        // Greedy in-order matching within the lookahead window.
        var match = [Int?](repeating: nil, count: units.count)
        var next = 0
        for (index, unit) in units.enumerated() {
            let wanted = key(unit)
            let window = next..<min(next + lookahead, pieces.count)
            if let hit = window.first(where: { keys[$0] == wanted }) {
                match[index] = hit
                next = hit + 1
            }
        }
        var words: [TimedWord] = []
        words.reserveCapacity(units.count)
        var index = 0
        while index < units.count {
            if let hit = match[index] {
                words.append(TimedWord(text: units[index], start: pieces[hit].start, end: pieces[hit].end,
                                       confidence: pieces[hit].confidence))
                index += 1
                continue
            }
            // A run of unmatched words between two anchors: spread it over the recognised words
            // between them (what the recogniser heard there), else over the silence between them.
            let runEnd = (index..<units.count).first { match[$0] != nil } ?? units.count
            let previous = index > 0 ? match[index - 1] : nil
            let following = runEnd < units.count ? match[runEnd] : nil
            let firstPiece = (previous ?? -1) + 1
            let lastPiece = (following ?? pieces.count) - 1
            var low = previous.map { pieces[$0].end } ?? 0
            var high = following.map { pieces[$0].start } ?? duration
            if firstPiece <= lastPiece {
                low = pieces[firstPiece].start
                high = pieces[lastPiece].end
            }
            high = max(low, high)
            let width = (high - low) / Double(runEnd - index)
            for offset in 0..<(runEnd - index) {
                let start = low + width * Double(offset)
                words.append(TimedWord(text: units[index + offset], start: start, end: start + width))
            }
            index = runEnd
        }
        return words
    }

    /// A recognised word split into its letters, sharing its time evenly.
    private static func characters(_ word: TimedWord) -> [TimedWord] {
        let letters = word.text.filter { $0.isLetter || $0.isNumber }
        guard !letters.isEmpty else { return [] }
        let width = (word.end - word.start) / Double(letters.count)
        return letters.enumerated().map { offset, letter in
            let start = word.start + width * Double(offset)
            return TimedWord(text: String(letter), start: start, end: start + width, confidence: word.confidence)
        }
    }
}
