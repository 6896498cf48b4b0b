import ScribaTranscript

// The LocalAgreement-2 policy of whisper_streaming (Macháček et al. 2023, `HypothesisBuffer` in
// ufal/whisper_streaming): a word is committed when two consecutive hypotheses agree on it and on
// every word before it. Committed words are never revised; later hypotheses only extend them.

struct HypothesisBuffer: Sendable {
    /// End of the last committed word, seconds from the stream's start.
    private(set) var lastCommittedTime = 0.0
    /// Committed words still inside the audio buffer: a new hypothesis repeats them at its start.
    private var committedInBuffer: [TimedWord] = []
    /// The previous hypothesis' words past the committed ones.
    private(set) var tail: [TimedWord] = []

    /// Words of a new hypothesis this much before the last committed end are already committed.
    static let overlapTolerance = 0.1
    /// A hypothesis starting within this of the last committed end may repeat its last words.
    static let repeatWindow = 1.0
    /// Longest run of committed words a hypothesis may repeat at its start.
    static let maxRepeatedWords = 5

    /// Takes a hypothesis over the buffer (absolute times); returns the words it commits.
    mutating func insert(_ hypothesis: [TimedWord]) -> [TimedWord] {
        let fresh = repeatsCommittedWords(hypothesis).map { Array(hypothesis.dropFirst($0)) } ?? freshByTime(hypothesis)
        var agreed = 0
        while agreed < fresh.count, agreed < tail.count, Self.key(fresh[agreed].text) == Self.key(tail[agreed].text) {
            agreed += 1
        }
        let committed = Array(fresh.prefix(agreed))
        tail = Array(fresh.dropFirst(agreed))
        if let last = committed.last { lastCommittedTime = last.end }
        committedInBuffer += committed
        return committed
    }

    /// How many words the hypothesis starts with that are the committed words in the buffer, all of
    /// them in order (nil when it does not repeat them all). The buffer starts where they start, so a
    /// pass normally hears them again first; matched by text, a new sentence's first word is kept
    /// even when its time falls before the last committed end (a word's end stretched into the
    /// pause by an earlier pass: "than he was. He was not" lost its "He" to the time rule).
    private func repeatsCommittedWords(_ hypothesis: [TimedWord]) -> Int? {
        guard !committedInBuffer.isEmpty, hypothesis.count >= committedInBuffer.count else { return nil }
        for (heard, committed) in zip(hypothesis, committedInBuffer) where Self.key(heard.text) != Self.key(committed.text) {
            return nil
        }
        return committedInBuffer.count
    }

    /// whisper_streaming's rule: words starting after the last committed end are new, less the
    /// longest run (≤ 5 words) that repeats the committed end.
    private func freshByTime(_ hypothesis: [TimedWord]) -> [TimedWord] {
        var fresh = hypothesis.filter { $0.start > lastCommittedTime - Self.overlapTolerance }
        if let first = fresh.first, abs(first.start - lastCommittedTime) < Self.repeatWindow {
            // Drop the longest n-gram the hypothesis repeats from the committed end (n ≤ 5).
            let limit = min(Self.maxRepeatedWords, committedInBuffer.count, fresh.count)
            if limit > 0 {
                for n in stride(from: limit, through: 1, by: -1) {
                    let committedKeys = committedInBuffer.suffix(n).map { Self.key($0.text) }
                    let freshKeys = fresh.prefix(n).map { Self.key($0.text) }
                    if committedKeys == freshKeys {
                        fresh.removeFirst(n)
                        break
                    }
                }
            }
        }
        return fresh
    }

    /// Commits the whole tail (the stream ended).
    mutating func flush() -> [TimedWord] {
        let rest = tail
        tail = []
        if let last = rest.last { lastCommittedTime = last.end }
        committedInBuffer += rest
        return rest
    }

    /// Commits the tail's words that end by `time` (the buffer is cut there before two passes
    /// agreed on them).
    mutating func commit(endingBy time: Double) -> [TimedWord] {
        let count = tail.prefix { $0.end <= time }.count
        let forced = Array(tail.prefix(count))
        tail.removeFirst(count)
        if let last = forced.last { lastCommittedTime = last.end }
        committedInBuffer += forced
        return forced
    }

    /// Forgets committed words that ended before `time` (the buffer was trimmed there).
    mutating func forget(before time: Double) {
        committedInBuffer.removeAll { $0.end <= time }
    }

    /// Agreement ignores case and punctuation: Whisper flips "word," to "word." between passes,
    /// which would otherwise hold back every sentence's last word.
    static func key(_ word: String) -> String {
        let letters = word.lowercased().filter { $0.isLetter || $0.isNumber }
        return letters.isEmpty ? word.trimmingWhitespace() : letters
    }
}
