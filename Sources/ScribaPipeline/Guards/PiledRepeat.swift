/// Words an engine decoded a second time inside a chunk, which its word timing then piled onto one
/// spot. Whisper sometimes repeats the sentence it has just heard; its cross-attention DTW cannot
/// place the copy in the audio and stacks its words, each zero-length, within a few frames. When
/// the copy lands mid-chunk (speech follows), `SilentTail` does not see it and it is too short for
/// the loop guard, yet it doubles a sentence in the subtitles.
///
/// A pile is at least `minimumWords` words, none longer than one DTW frame and all within
/// `maximumSecondsPerWord` per word: faster than anyone speaks. It is dropped only when its words,
/// compared without case and punctuation, already occur in the same order earlier in the chunk.
enum PiledRepeat {
    static let minimumWords = 3
    /// One 20 ms DTW frame, plus rounding to 10 ms.
    static let maximumWordSeconds = 0.025
    static let maximumSecondsPerWord = 0.04

    /// The piled repeats among the words (in order, over all `segments`) of one chunk, as index ranges.
    static func runs(in segments: [TranscriptSegment]) -> [Range<Int>] {
        let words = segments.flatMap(\.words)
        let tokens = words.map { ChunkMerger.comparable($0.text) }
        var runs: [Range<Int>] = []
        var start = 0
        while start < words.count {
            var end = start
            while end < words.count, words[end].end - words[end].start <= maximumWordSeconds,
                  words[end].end - words[start].start <= maximumSecondsPerWord * Double(end - start + 1) {
                end += 1
            }
            if end - start >= minimumWords, repeats(Array(tokens[start..<end]), within: tokens[..<start]) {
                runs.append(start..<end)
                start = end
            } else {
                start = max(end, start + 1)
            }
        }
        return runs
    }

    /// `segments` without the words in `runs`; a segment split by a run becomes its two sides, one
    /// left without words goes.
    static func dropping(_ runs: [Range<Int>], from segments: [TranscriptSegment]) -> [TranscriptSegment] {
        var result: [TranscriptSegment] = []
        var first = 0
        for segment in segments {
            let indices = first..<(first + segment.words.count)
            first = indices.upperBound
            guard runs.contains(where: { $0.overlaps(indices) }) else {
                result.append(segment)
                continue
            }
            var kept: [TimedWord] = []
            for (index, word) in zip(indices, segment.words) {
                if runs.contains(where: { $0.contains(index) }) {
                    if !kept.isEmpty { result.append(segment.narrowed(to: kept)) }
                    kept = []
                } else {
                    kept.append(word)
                }
            }
            if !kept.isEmpty { result.append(segment.narrowed(to: kept)) }
        }
        return result
    }

    private static func repeats(_ run: [String], within earlier: ArraySlice<String>) -> Bool {
        guard !run.allSatisfy(\.isEmpty), earlier.count >= run.count else { return false }
        let before = Array(earlier)
        return (0...(before.count - run.count)).contains { Array(before[$0..<($0 + run.count)]) == run }
    }
}
