// Speakers in a transcript: diarization's turns (who spoke when, over the whole input) put on the
// recognised words, as WhisperX's assign_word_speakers does. Each word gets the speaker whose turns
// cover most of it, or the nearest turn's speaker when none covers it (a word the aligner placed in
// a pause); a segment holding words of several speakers is cut where the speaker changes, so every
// segment — and so every sentence, cue and row written from it — has one speaker.

/// One speaker of a diarized transcript.
public struct Speaker: Sendable, Hashable {
    /// The label outputs print: SPEAKER_1, SPEAKER_2, … in order of first appearance.
    public var id: String
    /// Seconds the speaker's turns cover (overlapped speech counts for each speaker in it).
    public var talkSeconds: Double

    public init(id: String, talkSeconds: Double) {
        self.id = id
        self.talkSeconds = talkSeconds
    }
}

/// A run of consecutive speech by one speaker: consecutive segments of that speaker joined.
public struct Utterance: Sendable, Hashable {
    public var speaker: String
    public var start: Double
    public var end: Double
    public var text: String

    public init(speaker: String, start: Double, end: Double, text: String) {
        self.speaker = speaker
        self.start = start
        self.end = end
        self.text = text
    }
}

extension Transcript {
    /// The speakers of `turns` in order of first appearance with their talk time; nil when not diarized.
    public var speakers: [Speaker]? {
        guard let turns else { return nil }
        var seconds = [Double](repeating: 0, count: (turns.map(\.speaker).max() ?? -1) + 1)
        for turn in turns { seconds[turn.speaker] += max(0, turn.duration) }
        return seconds.enumerated().map { Speaker(id: SpeakerTurn.label($0.offset), talkSeconds: $0.element) }
    }

    /// Consecutive segments of one speaker joined, in order; empty when not diarized.
    public var utterances: [Utterance] {
        var result: [Utterance] = []
        var parts: [String] = []
        for segment in segments {
            guard let speaker = segment.speaker else { continue }
            if let last = result.last, last.speaker == speaker {
                result[result.count - 1].end = max(last.end, segment.end)
                parts.append(segment.text)
            } else {
                if !parts.isEmpty { result[result.count - 1].text = Transcript.joinedText(of: parts) }
                result.append(Utterance(speaker: speaker, start: segment.start, end: segment.end, text: ""))
                parts = [segment.text]
            }
        }
        if !parts.isEmpty { result[result.count - 1].text = Transcript.joinedText(of: parts) }
        return result
    }

    /// This transcript with `turns` as its diarization: every word and segment labelled, segments cut
    /// at speaker changes. The text stays the same (only re-joined where a segment was cut).
    public func attributed(to turns: [SpeakerTurn]) -> Transcript {
        let sorted = turns.sorted { ($0.start, $0.end, $0.speaker) < ($1.start, $1.end, $1.speaker) }
        var result = self
        result.segments = segments.flatMap { SpeakerAttribution.split($0, turns: sorted) }
        result.turns = sorted
        return result
    }
}

public enum SpeakerAttribution {
    /// The speaker index for the span `start...end`: most covered by turns, ties to the earlier
    /// speaker; with no overlap, the nearest turn's; nil when there are no turns.
    public static func speaker(start: Double, end: Double, turns: [SpeakerTurn]) -> Int? {
        guard !turns.isEmpty else { return nil }
        var covered: [Int: Double] = [:]
        for turn in turns where turn.start < end && turn.end > start {
            covered[turn.speaker, default: 0] += min(end, turn.end) - max(start, turn.start)
        }
        if let best = covered.max(by: { ($0.value, -$0.key) < ($1.value, -$1.key) }), best.value > 0 { return best.key }
        // No overlap (or a zero-length word): the closest turn, measured from the span's middle.
        let middle = (start + end) / 2
        func distance(_ turn: SpeakerTurn) -> Double { middle < turn.start ? turn.start - middle : max(0, middle - turn.end) }
        return turns.min { (distance($0), $0.speaker) < (distance($1), $1.speaker) }!.speaker
    }

    /// `segment` labelled, cut into one segment per run of words with the same speaker. The text of
    /// a cut segment is its words as written in the segment's text (punctuation kept).
    static func split(_ segment: TranscriptSegment, turns: [SpeakerTurn]) -> [TranscriptSegment] {
        guard !segment.words.isEmpty else {
            var labelled = segment
            labelled.speaker = speaker(start: segment.start, end: segment.end, turns: turns).map(SpeakerTurn.label)
            return [labelled]
        }
        var words = segment.words
        for index in words.indices {
            words[index].speaker = speaker(start: words[index].start, end: words[index].end, turns: turns).map(SpeakerTurn.label)
        }
        var runs: [Range<Int>] = []
        var first = 0
        for index in 1..<max(1, words.count) where words[index].speaker != words[index - 1].speaker {
            runs.append(first..<index)
            first = index
        }
        runs.append(first..<words.count)
        if runs.count == 1 {
            var labelled = segment
            labelled.words = words
            labelled.speaker = words[0].speaker
            return [labelled]
        }
        let written = SentenceGrouper.locate(words: words, in: segment.text).map(\.word)
        return runs.map { run in
            TranscriptSegment(start: words[run.lowerBound].start, end: words[run.upperBound - 1].end,
                              text: SentenceGrouper.join(written[run]), words: Array(words[run]), speaker: words[run.lowerBound].speaker)
        }
    }
}
