// Turns sentences into subtitle cues that respect `CueOptions`.
//
// Order of work: (1) split each sentence until every piece fits the line/line-count capacity and
// the maximum duration — preferring breaks after punctuation, then at pauses, then before
// conjunctions, then any word boundary, weighted toward balanced halves; never inside a word.
// (2) merge pieces shorter than the minimum duration into a neighbour when the result still fits.
// (3) time each cue left to right: extend it to the minimum duration and to the reading-speed
// limit, first into the silence after it, then before it, never closer than `minGap` to a
// neighbour. (4) break lines, balanced.
//
// What the input can force (and nothing else is ever violated):
// - a single word longer than `maxLineChars` makes its line too long (words are never cut);
// - words spoken faster than `maxCPS`, or a cue wedged between neighbours with less than
//   `minDuration` of room, leave that cue short or fast: it then fills all the room it has.
// Always true: lines ≤ maxLines, duration ≤ maxDuration, duration > 0, start ≥ 0, cues in
// order with ≥ minGap between them.

public struct Cue: Sendable, Hashable {
    public var start: Double
    public var end: Double
    public var lines: [String]
    /// Who speaks in it when the transcript was diarized: a cue never holds two speakers.
    public var speaker: String?

    public init(start: Double, end: Double, lines: [String], speaker: String? = nil) {
        self.start = start
        self.end = end
        self.lines = lines
        self.speaker = speaker
    }

    public var text: String { lines.joined(separator: "\n") }
    /// Characters counted for reading speed: the lines' characters plus one per line break
    /// (it reads as a space).
    public var characterCount: Int { lines.reduce(0) { $0 + $1.count } + max(0, lines.count - 1) }
}

public enum SubtitleShaper {
    /// Conjunctions a cue or line may break before (lowercased; CJK ones matched on one or two
    /// characters).
    public static let conjunctions: Set<String> = [
        // English
        "and", "but", "or", "so", "because", "which", "that", "when", "while", "if", "although",
        "though", "since", "unless", "until", "where", "then", "whereas",
        // German, French, Spanish, Italian, Portuguese
        "und", "aber", "oder", "weil", "dass", "denn", "et", "mais", "ou", "donc", "parce",
        "quand", "y", "pero", "porque", "cuando", "e", "ma", "perché", "mas", "quando",
        // Chinese, Japanese
        "和", "但", "但是", "而且", "所以", "因为", "如果", "然后", "或者", "并且", "不过", "可是",
        "还有", "就是", "でも", "しかし", "そして", "だから",
    ]
    /// A silence at least this long between two words is as good a break as a comma.
    public static let pauseBreak = 0.3
    /// Short pieces merge into a neighbour only across a silence no longer than this.
    public static let maxMergeGap = 1.0

    /// Cues for a whole transcript; the script (limits) comes from `options.script(for:)`.
    public static func cues(for transcript: Transcript, options: CueOptions = .init()) -> [Cue] {
        let limits = options.resolved(for: options.script(for: transcript))
        let sentences = SentenceGrouper.sentences(in: transcript)
        return cues(for: sentences, limits: limits, mediaDuration: transcript.duration)
    }

    /// Cues for sentences. `mediaDuration` bounds how far the last cue may be extended (0 when
    /// unknown: no bound).
    public static func cues(for sentences: [Sentence], limits: ResolvedCueLimits, mediaDuration: Double) -> [Cue] {
        var pieces: [[SentenceWord]] = []
        for sentence in sentences {
            let words = sentence.words.isEmpty ? pseudoWords(sentence) : sentence.words
            let clean = words.filter { !$0.text.isEmpty }
            if clean.isEmpty { continue }
            split(clean[...], limits: limits, into: &pieces)
        }
        pieces = mergeShort(pieces, limits: limits)
        return timed(pieces, limits: limits, mediaDuration: mediaDuration)
    }

    // MARK: - Capacity

    static func length(_ words: ArraySlice<SentenceWord>) -> Int {
        var total = 0
        for (offset, word) in words.enumerated() {
            if offset > 0 && word.spaceBefore { total += 1 }
            total += word.text.count
        }
        return total
    }

    /// Lines a greedy fill needs; a word longer than a line takes a line of its own.
    static func linesNeeded(_ words: ArraySlice<SentenceWord>, maxLineChars: Int) -> Int {
        var lines = 0
        var current = 0
        for word in words {
            let width = word.text.count
            if current == 0 {
                lines += 1
                current = width
            } else if current + (word.spaceBefore ? 1 : 0) + width <= maxLineChars {
                current += (word.spaceBefore ? 1 : 0) + width
            } else {
                lines += 1
                current = width
            }
        }
        return lines
    }

    static func fits(_ words: ArraySlice<SentenceWord>, limits: ResolvedCueLimits) -> Bool {
        guard let first = words.first, let last = words.last else { return true }
        return linesNeeded(words, maxLineChars: limits.maxLineChars) <= limits.maxLines
            && last.end - first.start <= limits.maxDuration
    }

    // MARK: - Splitting

    /// How good a break before `words[index]` is: 0 best (sentence end) … 1 (plain word boundary),
    /// 10 inside a written word that the aligner cut in two, or against the kinsoku rules (a line
    /// starting with small kana, ー or closing punctuation, or ending with an opening bracket).
    static func breakCost(_ words: ArraySlice<SentenceWord>, before index: Int) -> Double {
        let previous = words[index - 1]
        if let first = words[index].text.first, ScriptClass.mayNotStartLine(first) { return 10 }
        if let last = previous.text.last, ScriptClass.isOpening(last) { return 10 }
        // Two aligned pieces of one written word ("3." + "5", "e-" + "mail"): break only if forced.
        if !words[index].spaceBefore, let l = previous.text.last, let r = words[index].text.first,
           !ScriptClass.isSpaceless(l), !ScriptClass.isSpaceless(r) {
            return 10
        }
        if let mark = previous.text.last {
            if ScriptClass.sentenceTerminals.contains(mark) { return 0 }
            if ScriptClass.clausePunctuation.contains(mark) { return 0.3 }
        }
        if words[index].start - previous.end >= pauseBreak { return 0.3 }
        if isConjunction(words, at: index) { return 0.6 }
        return 1
    }

    static func isConjunction(_ words: ArraySlice<SentenceWord>, at index: Int) -> Bool {
        let one = core(words[index].text)
        if conjunctions.contains(one) { return true }
        if index + 1 < words.endIndex, !words[index + 1].spaceBefore {
            return conjunctions.contains(one + core(words[index + 1].text))
        }
        return false
    }

    static func core(_ text: String) -> String {
        String(text.filter(ScriptClass.isWordCharacter)).lowercased()
    }

    /// Best break in `words` by category, weighted toward equal character counts.
    static func bestBreak(_ words: ArraySlice<SentenceWord>) -> Int {
        let total = Double(max(1, length(words)))
        var best = words.startIndex + 1
        var bestCost = Double.infinity
        for index in (words.startIndex + 1)..<words.endIndex {
            let left = Double(length(words[..<index]))
            let right = Double(length(words[index...]))
            let cost = breakCost(words, before: index) + 2 * abs(left - right) / total
            if cost < bestCost {
                bestCost = cost
                best = index
            }
        }
        return best
    }

    static func split(_ words: ArraySlice<SentenceWord>, limits: ResolvedCueLimits, into pieces: inout [[SentenceWord]]) {
        if words.count <= 1 || fits(words, limits: limits) {
            pieces.append(Array(words))
            return
        }
        let cut = bestBreak(words)
        split(words[..<cut], limits: limits, into: &pieces)
        split(words[cut...], limits: limits, into: &pieces)
    }

    // MARK: - Merging

    static func mergeShort(_ input: [[SentenceWord]], limits: ResolvedCueLimits) -> [[SentenceWord]] {
        var pieces = input
        var index = 0
        while index < pieces.count {
            let piece = pieces[index]
            let span = piece.last!.end - piece.first!.start
            if span >= limits.minDuration {
                index += 1
                continue
            }
            // Candidates: previous and next, nearest in time first.
            var options: [(neighbour: Int, gap: Double)] = []
            if index > 0 { options.append((index - 1, piece.first!.start - pieces[index - 1].last!.end)) }
            if index + 1 < pieces.count { options.append((index + 1, pieces[index + 1].first!.start - piece.last!.end)) }
            options.sort { $0.gap < $1.gap }
            var merged = false
            // A cue holds one speaker: a short piece never merges across a speaker change.
            for option in options where option.gap <= maxMergeGap && pieces[option.neighbour][0].speaker == piece[0].speaker {
                let low = min(index, option.neighbour)
                var joined = pieces[low] + pieces[low + 1]
                // Segments start without a space; between Latin sentences the join needs one.
                let seam = pieces[low].count
                joined[seam].spaceBefore = joined[seam].spaceBefore || needsSpace(joined[seam - 1], joined[seam])
                if fits(joined[...], limits: limits) {
                    pieces[low] = joined
                    pieces.remove(at: low + 1)
                    index = low
                    merged = true
                    break
                }
            }
            if !merged { index += 1 }
        }
        return pieces
    }

    /// Two pieces from different sentences joined: a space unless either side is a spaceless script.
    static func needsSpace(_ left: SentenceWord, _ right: SentenceWord) -> Bool {
        guard let l = left.text.last, let r = right.text.first else { return false }
        return !(ScriptClass.isSpaceless(l) || ScriptClass.isSpaceless(r))
    }

    // MARK: - Timing

    static func timed(_ pieces: [[SentenceWord]], limits: ResolvedCueLimits, mediaDuration: Double) -> [Cue] {
        var cues: [Cue] = []
        cues.reserveCapacity(pieces.count)
        var previousEnd = -Double.infinity
        for (index, piece) in pieces.enumerated() {
            let wordStart = max(0, piece.first!.start)
            let wordEnd = max(wordStart, piece.last!.end)
            let lines = breakLines(piece[...], limits: limits)
            let chars = lines.reduce(0) { $0 + $1.count } + lines.count - 1
            let need = min(limits.maxDuration, max(limits.minDuration, Double(chars) / limits.maxCPS))
            let lowerBound = index == 0 ? 0 : previousEnd + limits.minGap
            let upperBound = index + 1 < pieces.count
                ? pieces[index + 1].first!.start - limits.minGap
                : mediaDuration > 0 ? max(mediaDuration, wordEnd) : .infinity   // 0: length unknown

            var start = max(wordStart, lowerBound)
            var end = max(wordEnd, start + need)
            end = min(end, start + limits.maxDuration, upperBound)
            if end - start < need {
                // Not enough silence after: show it earlier, into the silence before.
                start = max(lowerBound, min(start, end - need))
            }
            if end <= start {
                // Wedged in (overlapping words): keep order and the gap; the next cue moves later.
                end = start + min(need, 0.001)
            }
            cues.append(Cue(start: start, end: end, lines: lines, speaker: piece[0].speaker))
            previousEnd = end
        }
        return cues
    }

    // MARK: - Line breaking

    /// Breaks a cue's words into at most `maxLines` lines: one line when it fits, otherwise the
    /// fewest lines that fit, with breaks chosen by category and balance (dynamic programming).
    static func breakLines(_ words: ArraySlice<SentenceWord>, limits: ResolvedCueLimits) -> [String] {
        let text = SentenceGrouper.join(words)
        if words.count <= 1 || text.count <= limits.maxLineChars { return [text] }
        let count = min(max(2, linesNeeded(words, maxLineChars: limits.maxLineChars)), limits.maxLines, words.count)
        if count == 1 { return [text] }
        let n = words.count
        let base = words.startIndex
        let target = Double(length(words)) / Double(count)
        // cost[l][i]: best cost to put words[0..<i] into l lines; from[l][i]: start of line l.
        var cost = [[Double]](repeating: [Double](repeating: .infinity, count: n + 1), count: count + 1)
        var from = [[Int]](repeating: [Int](repeating: 0, count: n + 1), count: count + 1)
        cost[0][0] = 0
        for line in 1...count {
            for end in line...n {
                for begin in (line - 1)..<end where cost[line - 1][begin] < .infinity {
                    let slice = words[(base + begin)..<(base + end)]
                    let width = length(slice)
                    let overflow = width > limits.maxLineChars && slice.count > 1 ? 1000.0 : 0
                    let deviation = (Double(width) - target) / Double(limits.maxLineChars)
                    let breakPenalty = end < n ? breakCost(words, before: base + end) : 0
                    let c = cost[line - 1][begin] + overflow + deviation * deviation * 4 + breakPenalty
                    if c < cost[line][end] {
                        cost[line][end] = c
                        from[line][end] = begin
                    }
                }
            }
        }
        var lines: [String] = []
        var end = n
        for line in stride(from: count, to: 0, by: -1) {
            let begin = from[line][end]
            lines.append(SentenceGrouper.join(words[(base + begin)..<(base + end)]))
            end = begin
        }
        return lines.reversed()
    }

    // MARK: - Sentences without word timings

    /// Words for a sentence that has none: split at spaces (and per character in spaceless
    /// scripts), times shared out by character count.
    static func pseudoWords(_ sentence: Sentence) -> [SentenceWord] {
        var texts: [(String, Bool)] = []
        var current = ""
        var spaceBefore = false
        var sawSpace = false
        for character in sentence.text {
            if character.isWhitespace {
                if !current.isEmpty { texts.append((current, spaceBefore)); current = "" }
                sawSpace = true
                continue
            }
            let spaceless = ScriptClass.isSpaceless(character) && ScriptClass.isWordCharacter(character)
            if spaceless && !current.isEmpty && current.contains(where: ScriptClass.isWordCharacter) {
                texts.append((current, spaceBefore))
                current = ""
                spaceBefore = false
            }
            if current.isEmpty {
                spaceBefore = sawSpace
                sawSpace = false
            }
            current.append(character)
        }
        if !current.isEmpty { texts.append((current, spaceBefore)) }
        let total = Double(max(1, texts.reduce(0) { $0 + $1.0.count }))
        var consumed = 0.0
        let span = sentence.end - sentence.start
        return texts.map { text, space in
            let s = sentence.start + span * consumed / total
            consumed += Double(text.count)
            return SentenceWord(text: text, start: s, end: sentence.start + span * consumed / total, spaceBefore: space, speaker: sentence.speaker)
        }
    }
}
