// Meeting minutes from a transcript: a fixed-interval timeline, topic shifts, action items and an
// extractive summary. Everything is lexical and deterministic (no model): topics by TextTiling-style
// similarity dips between adjacent sentence windows (Hearst 1997), action items by cue phrases,
// the summary by sentence centrality over TF-IDF vectors (LexRank-style degree centrality).
// Terms: lowercased words minus stop words for spaced scripts; character bigrams for CJK, which
// has no spaces to split words at.

import Foundation

public struct MinutesOptions: Sendable, Hashable {
    /// Length of each timeline entry, seconds.
    public var interval: Double
    /// Sentences on each side of a candidate topic boundary; also the shortest topic. 15
    /// sentences is about 1.5–2 minutes of meeting speech; smaller windows follow noise.
    public var topicWindow: Int
    /// Smallest similarity dip (depth score, 0...2) that may count as a topic shift; the cutoff
    /// is the larger of this and mean + 1 sd of all depths. On the test meetings real shifts
    /// score 0.79–1.24 and the deepest noise valley 0.25.
    public var minTopicDepth: Double
    /// Sentences in the summary.
    public var summarySentences: Int
    /// Keywords listed per topic.
    public var keywordsPerTopic: Int
    /// Who took part, as the user names them (not inferred): carried into the minutes. In a diarized
    /// transcript the names go to the speakers in order of first appearance (SPEAKER_1 is the first name).
    public var participants: [String]

    public init(
        interval: Double = 300, topicWindow: Int = 15, minTopicDepth: Double = 0.35,
        summarySentences: Int = 5, keywordsPerTopic: Int = 5, participants: [String] = []
    ) {
        self.participants = participants
        self.interval = interval
        self.topicWindow = topicWindow
        self.minTopicDepth = minTopicDepth
        self.summarySentences = summarySentences
        self.keywordsPerTopic = keywordsPerTopic
    }
}

public struct Minutes: Sendable, Hashable {
    public struct TimelineEntry: Sendable, Hashable {
        public var start: Double
        public var end: Double
        public var text: String

        public init(start: Double, end: Double, text: String) {
            self.start = start
            self.end = end
            self.text = text
        }
    }

    public struct Topic: Sendable, Hashable {
        public var start: Double
        public var end: Double
        public var keywords: [String]
        /// Index range into `sentences`.
        public var sentenceRange: Range<Int>

        public init(start: Double, end: Double, keywords: [String], sentenceRange: Range<Int>) {
            self.start = start
            self.end = end
            self.keywords = keywords
            self.sentenceRange = sentenceRange
        }
    }

    public struct ActionItem: Sendable, Hashable {
        public var start: Double
        public var end: Double
        public var text: String
        /// The cue phrases that matched, in list order.
        public var cues: [String]

        public init(start: Double, end: Double, text: String, cues: [String]) {
            self.start = start
            self.end = end
            self.text = text
            self.cues = cues
        }
    }

    public var language: String
    public var duration: Double
    public var sentences: [Sentence]
    public var timeline: [TimelineEntry]
    public var topics: [Topic]
    public var actionItems: [ActionItem]
    /// Summary sentences in time order.
    public var summary: [Sentence]
    /// The whole transcript text.
    public var transcription: String
    /// Who took part, as the user named them.
    public var participants: [String]
    /// Diarized transcripts only: each speaker's talk time, in order of first appearance.
    public var speakers: [SpeakerTime] = []
    /// Diarized transcripts only: who said what, one entry per run of one speaker's speech, with
    /// speakers named as in `speakers`.
    public var utterances: [Utterance] = []

    public struct SpeakerTime: Sendable, Hashable {
        /// The participant's name when one was given for this speaker, else the label.
        public var name: String
        /// SPEAKER_1, SPEAKER_2, …
        public var label: String
        public var seconds: Double
    }

    public init(
        language: String, duration: Double, sentences: [Sentence], timeline: [TimelineEntry],
        topics: [Topic], actionItems: [ActionItem], summary: [Sentence], transcription: String = "", participants: [String] = []
    ) {
        self.transcription = transcription
        self.participants = participants
        self.language = language
        self.duration = duration
        self.sentences = sentences
        self.timeline = timeline
        self.topics = topics
        self.actionItems = actionItems
        self.summary = summary
    }
}

public enum MinutesBuilder {
    /// Action cue phrases (lowercased). Latin phrases match on word boundaries; CJK ones anywhere.
    public static let englishActionCues: [String] = [
        "action item", "need to", "needs to", "will", "by friday", "by monday", "by tuesday",
        "by wednesday", "by thursday", "by tomorrow", "by next week", "by the end of", "deadline",
        "follow up", "responsible for", "assigned to", "make sure", "todo", "to-do",
    ]
    public static let chineseActionCues: [String] = [
        "需要", "安排", "负责", "截止", "下周", "跟进", "落实", "务必", "待办", "之前完成",
    ]
    public static let japaneseActionCues: [String] = [
        "必要", "担当", "締め切り", "来週", "までに", "対応",
    ]
    public static let otherActionCues: [String] = [
        "muss", "bis freitag", "il faut", "avant vendredi", "hay que", "para el viernes",
    ]
    public static var actionCues: [String] {
        englishActionCues + chineseActionCues + japaneseActionCues + otherActionCues
    }

    /// Function words left out of topic terms.
    public static let stopWords: Set<String> = [
        "the", "and", "for", "that", "this", "with", "are", "was", "were", "have", "has", "had",
        "but", "not", "you", "your", "our", "they", "their", "them", "from", "about", "into",
        "than", "then", "there", "here", "what", "which", "when", "who", "will", "would", "should",
        "could", "can", "all", "any", "some", "just", "also", "very", "more", "most", "much",
        "been", "being", "its", "it's", "we're", "let's", "over", "only", "other", "such", "these",
        "those", "one", "two", "out", "now", "yes", "okay", "well", "really", "think", "know",
        "我们", "这个", "一个", "那个", "就是", "然后", "可以", "没有", "什么", "他们", "你们",
    ]

    public static func minutes(for transcript: Transcript, options: MinutesOptions = .init()) -> Minutes {
        let sentences = SentenceGrouper.sentences(in: transcript)
        let termLists = sentences.map { terms(in: $0.text) }
        let topics = findTopics(sentences, termLists: termLists, options: options)
        return Minutes(
            language: transcript.language,
            duration: transcript.duration,
            sentences: sentences,
            timeline: timeline(sentences, duration: transcript.duration, interval: options.interval),
            topics: topics,
            actionItems: actionItems(sentences),
            summary: summary(sentences, termLists: termLists, topics: topics, count: options.summarySentences),
            transcription: transcript.text, participants: options.participants)
            .withSpeakers(of: transcript, names: options.participants)
    }

    // MARK: - Timeline

    static func timeline(_ sentences: [Sentence], duration: Double, interval: Double) -> [Minutes.TimelineEntry] {
        let step = interval > 0 && interval.isFinite ? interval : 300
        let lastEnd = max(duration, sentences.last?.end ?? 0)
        let count = max(1, Int((lastEnd / step).rounded(.up)))
        var texts = [[String]](repeating: [], count: count)
        for sentence in sentences {
            let slot = min(count - 1, max(0, Int(sentence.start / step)))
            texts[slot].append(sentence.text)
        }
        return texts.enumerated().map { index, parts in
            Minutes.TimelineEntry(
                start: Double(index) * step, end: min(Double(index + 1) * step, lastEnd),
                text: Transcript.joinedText(of: parts))
        }
    }

    // MARK: - Terms

    /// Topic terms of a text: words (≥ 3 letters, not stop words) and CJK character bigrams.
    public static func terms(in text: String) -> [String] {
        var result: [String] = []
        var word = ""
        var cjkRun: [Character] = []
        func flushWord() {
            if word.count >= 3 && !stopWords.contains(word) { result.append(word) }
            word = ""
        }
        func flushRun() {
            if cjkRun.count == 1 {
                result.append(String(cjkRun[0]))
            } else if cjkRun.count > 1 {
                for i in 0..<(cjkRun.count - 1) {
                    let bigram = String(cjkRun[i...i + 1])
                    if !stopWords.contains(bigram) { result.append(bigram) }
                }
            }
            cjkRun.removeAll()
        }
        for character in text {
            if ScriptClass.isWordCharacter(character) && ScriptClass.isWide(character) {
                flushWord()
                cjkRun.append(character)
            } else if ScriptClass.isWordCharacter(character) || character == "'" {
                flushRun()
                word += character.lowercased()
            } else {
                flushWord()
                flushRun()
            }
        }
        flushWord()
        flushRun()
        return result
    }

    typealias Vector = [String: Double]

    static func counts(_ lists: ArraySlice<[String]>) -> Vector {
        var vector: Vector = [:]
        for list in lists { for term in list { vector[term, default: 0] += 1 } }
        return vector
    }

    static func cosine(_ a: Vector, _ b: Vector) -> Double {
        let (small, large) = a.count <= b.count ? (a, b) : (b, a)
        var dot = 0.0
        for (term, value) in small { if let other = large[term] { dot += value * other } }
        let na = a.values.reduce(0) { $0 + $1 * $1 }
        let nb = b.values.reduce(0) { $0 + $1 * $1 }
        return na > 0 && nb > 0 ? dot / (na.squareRoot() * nb.squareRoot()) : 0
    }

    // MARK: - Topics

    /// Similarity between the `window` sentences before each gap and the `window` after it; a
    /// gap is a boundary when its depth (climb to the nearest peak on both sides) is large, and
    /// boundaries are at least `window` sentences apart, deepest first.
    static func findTopics(_ sentences: [Sentence], termLists: [[String]], options: MinutesOptions) -> [Minutes.Topic] {
        guard !sentences.isEmpty else { return [] }
        let n = sentences.count
        let window = max(1, options.topicWindow)
        var boundaries: [Int] = []
        if n >= 2 * window {
            let gaps = Array(window...(n - window))
            let raw = gaps.map { gap in
                cosine(counts(termLists[(gap - window)..<gap]), counts(termLists[gap..<(gap + window)]))
            }
            // Moving average over three gaps, as TextTiling smooths, so single noisy sentences
            // do not make dips of their own.
            let similarity = raw.indices.map { i in
                let lo = max(0, i - 1), hi = min(raw.count - 1, i + 1)
                return raw[lo...hi].reduce(0, +) / Double(hi - lo + 1)
            }
            let depth = similarity.indices.map { i -> Double in
                var left = similarity[i], j = i
                while j > 0 && similarity[j - 1] >= left { j -= 1; left = similarity[j] }
                var right = similarity[i], k = i
                while k + 1 < similarity.count && similarity[k + 1] >= right { k += 1; right = similarity[k] }
                return (left - similarity[i]) + (right - similarity[i])
            }
            let mean = depth.reduce(0, +) / Double(depth.count)
            let variance = depth.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(depth.count)
            let cutoff = max(options.minTopicDepth, mean + variance.squareRoot())
            // Only valleys are candidates (a point on a slope has a one-sided "depth").
            let valleys = similarity.indices.filter { i in
                (i == 0 || similarity[i] <= similarity[i - 1])
                    && (i + 1 == similarity.count || similarity[i] <= similarity[i + 1])
            }
            let ranked = valleys.filter { depth[$0] >= cutoff }
                .sorted { depth[$0] != depth[$1] ? depth[$0] > depth[$1] : $0 < $1 }
            for i in ranked where boundaries.allSatisfy({ abs($0 - gaps[i]) >= window }) {
                boundaries.append(gaps[i])
            }
            boundaries.sort()
        }
        let edges = [0] + boundaries + [n]
        let ranges = (0..<(edges.count - 1)).map { edges[$0]..<edges[$0 + 1] }
        let topicCounts = ranges.map { counts(termLists[$0]) }
        var documentFrequency: [String: Int] = [:]
        for vector in topicCounts { for term in vector.keys { documentFrequency[term, default: 0] += 1 } }
        return zip(ranges, topicCounts).map { range, vector in
            let scored = vector.map { term, count -> (String, Double) in
                let idf = log(Double(ranges.count + 1) / Double(documentFrequency[term] ?? 1))
                return (term, count * idf)
            }
            let keywords = scored.filter { $0.1 > 0 }
                .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
                .prefix(options.keywordsPerTopic).map(\.0)
            return Minutes.Topic(
                start: sentences[range.lowerBound].start, end: sentences[range.upperBound - 1].end,
                keywords: Array(keywords), sentenceRange: range)
        }
    }

    // MARK: - Action items

    /// Cue phrases found in `text`, in list order.
    public static func actionCues(in text: String) -> [String] {
        let lower = text.lowercased()
        return actionCues.filter { cue in
            guard let first = cue.first else { return false }
            if ScriptClass.isWide(first) { return lower.contains(cue) }
            return containsOnWordBoundaries(lower, cue)
        }
    }

    static func containsOnWordBoundaries(_ text: String, _ phrase: String) -> Bool {
        var searchStart = text.startIndex
        while let range = text.range(of: phrase, range: searchStart..<text.endIndex) {
            let beforeOK = range.lowerBound == text.startIndex
                || !ScriptClass.isWordCharacter(text[text.index(before: range.lowerBound)])
            let afterOK = range.upperBound == text.endIndex || !ScriptClass.isWordCharacter(text[range.upperBound])
            if beforeOK && afterOK { return true }
            searchStart = text.index(after: range.lowerBound)
        }
        return false
    }

    static func actionItems(_ sentences: [Sentence]) -> [Minutes.ActionItem] {
        sentences.compactMap { sentence in
            let cues = actionCues(in: sentence.text)
            return cues.isEmpty ? nil
                : Minutes.ActionItem(start: sentence.start, end: sentence.end, text: sentence.text, cues: cues)
        }
    }

    // MARK: - Summary

    /// The most central sentence of each topic first, then the most central overall, skipping
    /// near-duplicates (cosine > 0.8 with one already chosen); returned in time order.
    static func summary(_ sentences: [Sentence], termLists: [[String]], topics: [Minutes.Topic], count: Int) -> [Sentence] {
        let n = sentences.count
        guard n > 0, count > 0 else { return [] }
        var documentFrequency: [String: Int] = [:]
        for list in termLists { for term in Set(list) { documentFrequency[term, default: 0] += 1 } }
        let vectors: [Vector] = termLists.map { list in
            var vector = counts([list][...])
            for (term, tf) in vector {
                vector[term] = tf * (log(Double(n) / Double(documentFrequency[term] ?? 1)) + 1)
            }
            return vector
        }
        var centrality = [Double](repeating: 0, count: n)
        for i in 0..<n {
            for j in (i + 1)..<max(i + 1, n) {
                let s = cosine(vectors[i], vectors[j])
                centrality[i] += s
                centrality[j] += s
            }
        }
        func ranked(_ range: Range<Int>) -> [Int] {
            range.filter { !termLists[$0].isEmpty }
                .sorted { centrality[$0] != centrality[$1] ? centrality[$0] > centrality[$1] : $0 < $1 }
        }
        var chosen: [Int] = []
        func take(_ index: Int) -> Bool {
            if chosen.contains(index) || chosen.count >= count { return false }
            if chosen.contains(where: { cosine(vectors[$0], vectors[index]) > 0.8 }) { return false }
            chosen.append(index)
            return true
        }
        for topic in topics {
            for index in ranked(topic.sentenceRange) where take(index) { break }
        }
        for index in ranked(0..<n) where chosen.count < count { _ = take(index) }
        return chosen.sorted().map { sentences[$0] }
    }
}
