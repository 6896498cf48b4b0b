import Testing
@testable import ScribaPipeline

/// `PiledRepeat`: a sentence decoded twice in a chunk, its copy's words stacked zero-length on one
/// spot (the long-run's "He was not an ill-disposed young man." at 1658.75–1658.91 s).
struct PiledRepeatTests {
    static let sentence = ["He", "was", "not", "an", "ill-disposed", "young", "man."]

    /// `texts` spoken 0.3 s apart from `start`.
    func spoken(_ texts: [String], from start: Double) -> [TimedWord] {
        texts.enumerated().map { TimedWord(text: $1, start: start + 0.3 * Double($0), end: start + 0.3 * Double($0) + 0.25) }
    }

    /// `texts` piled 0.02 s apart from `start`, each zero-length.
    func piled(_ texts: [String], at start: Double) -> [TimedWord] {
        texts.enumerated().map { TimedWord(text: $1, start: start + 0.02 * Double($0), end: start + 0.02 * Double($0)) }
    }

    func segment(_ words: [TimedWord], _ text: String) -> TranscriptSegment {
        TranscriptSegment(start: words[0].start, end: words[words.count - 1].end, text: text, words: words)
    }

    @Test func aPiledCopyOfAnEarlierSentenceIsDroppedAndWhatFollowsIsKept() {
        let heard = segment(spoken(Self.sentence, from: 1.0), "He was not an ill-disposed young man.")
        // Case and punctuation differ in the copy: still the same words.
        let copy = segment(piled(["he", "was", "not", "an", "ill-disposed", "young", "man"], at: 3.5), "he was not an ill-disposed young man")
        let next = segment(spoken(["Unless", "to", "be"], from: 4.0), "Unless to be")
        let segments = [heard, copy, next]
        #expect(PiledRepeat.runs(in: segments) == [7..<14])
        #expect(PiledRepeat.dropping(PiledRepeat.runs(in: segments), from: segments) == [heard, next])
    }

    @Test func aPileInsideOneSegmentSplitsItAndKeepsBothSidesText() {
        let words = spoken(Self.sentence, from: 1.0) + piled(Array(Self.sentence.prefix(4)), at: 3.2) + spoken(["Unless", "to", "be."], from: 3.4)
        let text = "He was not an ill-disposed young man. He was not an Unless to be."
        let kept = PiledRepeat.dropping(PiledRepeat.runs(in: [segment(words, text)]), from: [segment(words, text)])
        #expect(kept.map(\.text) == ["He was not an ill-disposed young man.", "Unless to be."])
        #expect(kept.flatMap(\.words) == Array(words[..<7]) + Array(words[11...]))
    }

    @Test func pilesThatRepeatNothingOrAreTooShortAndFastRealWordsStay() {
        // New words piled (no earlier copy): the aligner's plateau, not a repeat; other guards' job.
        let fresh = [segment(spoken(Self.sentence, from: 1.0) + piled(["quite", "another", "thing"], at: 3.5), "…")]
        #expect(PiledRepeat.runs(in: fresh).isEmpty)
        // Two piled words are below the minimum.
        let two = [segment(spoken(Self.sentence, from: 1.0) + piled(["young", "man"], at: 3.5), "…")]
        #expect(PiledRepeat.runs(in: two).isEmpty)
        // A real repeat ("no, no, no") spoken at a human pace is speech.
        let chant = [segment(spoken(["no", "no", "no", "no", "no", "no"], from: 1.0), "no, no, no, no, no, no")]
        #expect(PiledRepeat.runs(in: chant).isEmpty)
        // Zero-length words spread over seconds (interpolated times) are not a pile either.
        let spread = Self.sentence.enumerated().map { TimedWord(text: $1, start: 5 + Double($0) * 0.5, end: 5 + Double($0) * 0.5) }
        #expect(PiledRepeat.runs(in: [segment(spoken(Self.sentence, from: 1.0) + spread, "…")]).isEmpty)
    }
}
