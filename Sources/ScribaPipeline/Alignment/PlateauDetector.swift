/// Finds stretches of aligned words whose times cannot be right: a run of words that all start at
/// the same time (the aligner's "every word gets one time" failure, all zeros included), or the
/// last words of a stretch stuck on one time while audio goes on.
public struct PlateauDetector: Sendable {
    public var options: AlignmentSafetyOptions

    public init(options: AlignmentSafetyOptions = .init()) {
        self.options = options
    }

    /// Index ranges of suspect words, in order and disjoint. `stretchEnd`: where the audio the
    /// words were aligned in ends (same clock as the words).
    public func plateaus(in words: [TimedWord], stretchEnd: Double) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var first = 0
        while first < words.count {
            var next = first + 1
            while next < words.count, abs(words[next].start - words[first].start) <= options.sameTimeTolerance { next += 1 }
            let length = next - first
            let stalled = next == words.count && length >= options.stallMinWords
                && stretchEnd - words[first].start >= options.stallSeconds
            if length >= options.plateauMinWords || stalled { result.append(first..<next) }
            first = next
        }
        return result
    }
}
