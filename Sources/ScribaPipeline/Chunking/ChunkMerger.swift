import Foundation

/// Keeps each word of two overlapping chunks once. After a hard cut the next chunk starts
/// `overlap` before the cut; the boundary is the middle of the shared stretch, and a word belongs
/// to the side its midpoint lies on. A word cut in half by either chunk edge has its (partial)
/// midpoint on the far side of the boundary from that edge, so it is dropped there and kept whole
/// on the other side — exact for words shorter than half the overlap.
enum ChunkMerger {
    /// The part of `segments` (file times) before `boundary`.
    static func keepingBefore(_ boundary: Double, _ segments: [TranscriptSegment]) -> [TranscriptSegment] {
        segments.compactMap { segment in
            guard !segment.words.isEmpty else {
                return segment.start < boundary ? segment : nil
            }
            let kept = segment.words.filter { midpoint($0) < boundary }
            return kept.isEmpty ? nil : segment.narrowed(to: kept)
        }
    }

    /// The part of `segments` (file times) from `boundary` on.
    static func keepingFrom(_ boundary: Double, _ segments: [TranscriptSegment]) -> [TranscriptSegment] {
        segments.compactMap { segment in
            guard !segment.words.isEmpty else {
                return segment.end > boundary ? segment : nil
            }
            let kept = segment.words.filter { midpoint($0) >= boundary }
            return kept.isEmpty ? nil : segment.narrowed(to: kept)
        }
    }

    static func midpoint(_ word: TimedWord) -> Double { (word.start + word.end) / 2 }

    /// A word as repeats are compared: lower case, letters and digits only.
    static func comparable(_ word: some StringProtocol) -> String { String(word.lowercased().filter { $0.isLetter || $0.isNumber }) }

    /// The stretch of `text` (with its punctuation) that `kept` — a contiguous run of `all` — was
    /// aligned from. Aligners return words cleaned of punctuation, in text order, so each is found
    /// by searching forward; if one is not found, the kept words joined stand in for the text.
    static func textSpan(of kept: [TimedWord], in text: String, from all: [TimedWord]) -> String {
        guard let first = kept.first, let firstIndex = all.firstIndex(of: first) else {
            return Transcript.joinedText(of: kept.map(\.text))
        }
        var ranges: [Range<String.Index>] = []
        var cursor = text.startIndex
        for word in all {
            guard let range = text.range(of: word.text, options: [.caseInsensitive], range: cursor..<text.endIndex) else {
                return Transcript.joinedText(of: kept.map(\.text))
            }
            ranges.append(range)
            cursor = range.upperBound
        }
        let lastIndex = firstIndex + kept.count - 1
        // From the start of the kept run's first word (or the text start) to the next word's start
        // (or the text end): punctuation after the last kept word stays with it.
        let lower = firstIndex == 0 ? text.startIndex : ranges[firstIndex].lowerBound
        let upper = lastIndex + 1 < ranges.count ? ranges[lastIndex + 1].lowerBound : text.endIndex
        return String(text[lower..<upper]).trimmingWhitespace()
    }

    /// For engines without word times: `next` without the words that `previous` already ends with
    /// (the overlap heard twice). Compares whitespace tokens for spaced scripts and characters for
    /// scripts written without spaces, ignoring case and punctuation; needs a run of at least
    /// `minimumRun` tokens so a single common word ("the") is not taken for an overlap.
    static func droppingRepeatedPrefix(of next: String, after previous: String, minimumRun: Int = 2) -> String {
        let spaceless = next.contains(where: ScriptClass.isSpaceless)
        let split: (String) -> [Substring] = { text in
            spaceless ? text.map { Substring(String($0)) }.filter { !$0.allSatisfy(\.isWhitespace) }
                      : text.split(whereSeparator: \.isWhitespace)
        }
        let before = split(previous).map(comparable)
        let afterTokens = split(next)
        let after = afterTokens.map(comparable)
        let longest = min(before.count, after.count, spaceless ? 60 : 30)
        let run = max(minimumRun, spaceless ? minimumRun + 1 : minimumRun)
        guard longest >= run else { return next }
        for length in stride(from: longest, through: run, by: -1)
        where Array(before.suffix(length)) == Array(after.prefix(length)) && !after.prefix(length).allSatisfy(\.isEmpty) {
            let rest = afterTokens.dropFirst(length)
            return spaceless ? rest.joined() : rest.joined(separator: " ")
        }
        return next
    }
}

extension TranscriptSegment {
    /// This segment cut down to `kept`, a non-empty contiguous run of its words: times follow the
    /// words, the text is the stretch they came from (`ChunkMerger.textSpan`). Itself when nothing
    /// was cut.
    func narrowed(to kept: [TimedWord]) -> TranscriptSegment {
        guard kept.count < words.count else { return self }
        let text = ChunkMerger.textSpan(of: kept, in: self.text, from: words)
        return TranscriptSegment(start: kept[0].start, end: kept[kept.count - 1].end, text: text, words: kept)
    }
}
