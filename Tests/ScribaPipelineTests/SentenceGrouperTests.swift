import Testing
@testable import ScribaPipeline

@Suite struct SentenceGrouperTests {
    @Test func mixedChineseAndEnglishKeepOriginalPunctuationAndNoInsertedSpaces() {
        let words = [
            TimedWord(text: "你", start: 0.0, end: 0.2), TimedWord(text: "好", start: 0.2, end: 0.4),
            TimedWord(text: "世", start: 0.6, end: 0.8), TimedWord(text: "界", start: 0.8, end: 1.0),
            TimedWord(text: "Hello", start: 1.5, end: 1.9), TimedWord(text: "world", start: 2.0, end: 2.4),
        ]
        let sentences = SentenceGrouper.sentences(text: "你好，世界。Hello, world!", words: words)
        #expect(sentences.map(\.text) == ["你好，世界。", "Hello, world!"])
        #expect(sentences.map(\.start) == [0.0, 1.5])
        #expect(sentences.map(\.end) == [1.0, 2.4])
        #expect(sentences[0].words.map(\.text) == ["你", "好，", "世", "界。"])
        #expect(sentences[0].words.map(\.spaceBefore) == [false, false, false, false])
        #expect(sentences[1].words.map(\.text) == ["Hello,", "world!"])
        #expect(sentences[1].words.map(\.spaceBefore) == [false, true])
    }

    @Test func abbreviationDoesNotEndSentenceAndQuotesStayWithTheirWord() {
        let text = "Dr. Smith said “stop.” Then he left."
        let words = alignedWords("Dr Smith said stop Then he left", start: 0)
        let sentences = SentenceGrouper.sentences(text: text, words: words)
        #expect(sentences.map(\.text) == ["Dr. Smith said “stop.”", "Then he left."])
        #expect(sentences[0].words.map(\.text) == ["Dr.", "Smith", "said", "“stop.”"])
        // 4 words of 0.3 s with 0.05 s gaps: the first sentence ends at 3 × 0.35 + 0.3 = 1.35 s.
        #expect(abs(sentences[0].end - 1.35) < 1e-9)
        #expect(abs(sentences[1].start - 1.4) < 1e-9)
    }

    @Test func apostrophesMatchAndWordsTheAlignerDroppedStayInTheText() {
        let text = "I don't know, um, really. Yes!"
        let words = alignedWords("I dont know really Yes", start: 10)
        let sentences = SentenceGrouper.sentences(text: text, words: words)
        #expect(sentences.map(\.text) == ["I don't know, um, really.", "Yes!"])
        #expect(sentences[0].words.map(\.text) == ["I", "don't", "know, um,", "really."])
    }

    @Test func japaneseSentencesSplitAtFullWidthStops() {
        let tokens = ["今日", "は", "晴れ", "です", "明日", "は", "雨", "でしょう"]
        let words = tokens.enumerated().map { TimedWord(text: $1, start: Double($0) * 0.5, end: Double($0) * 0.5 + 0.4) }
        let sentences = SentenceGrouper.sentences(text: "今日は晴れです。明日は雨でしょう。", words: words)
        #expect(sentences.map(\.text) == ["今日は晴れです。", "明日は雨でしょう。"])
        #expect(sentences.map(\.start) == [0.0, 2.0])
        #expect(sentences.map(\.end) == [1.9, 3.9])
    }

    @Test func decimalPointBetweenAlignedWordsIsNotASentenceEnd() {
        let words = alignedWords("It rose 3 5 percent Then fell", start: 0)
        let sentences = SentenceGrouper.sentences(text: "It rose 3.5 percent. Then fell.", words: words)
        #expect(sentences.map(\.text) == ["It rose 3.5 percent.", "Then fell."])
        #expect(sentences[0].words.map(\.text) == ["It", "rose", "3.", "5", "percent."])
    }

    @Test func whisperStyleWordsWithSpacesAndPunctuationStillMatch() {
        let words = [
            TimedWord(text: " Hello,", start: 0, end: 0.4), TimedWord(text: " world.", start: 0.5, end: 0.9),
            TimedWord(text: " Bye!", start: 1.2, end: 1.5),
        ]
        let sentences = SentenceGrouper.sentences(text: " Hello, world. Bye!", words: words)
        #expect(sentences.map(\.text) == ["Hello, world.", "Bye!"])
        #expect(sentences.map(\.end) == [0.9, 1.5])
    }

    @Test func wordMissingFromTextKeepsAlignerSpelling() {
        let words = alignedWords("Hello there world", start: 0)
        let sentences = SentenceGrouper.sentences(text: "Hello world.", words: words)
        #expect(sentences.map(\.text) == ["Hello there world."])
        #expect(sentences[0].words.count == 3)
    }

    @Test func segmentWithoutWordsSharesItsTimeByCharacterCount() {
        let segment = TranscriptSegment(start: 0, end: 12, text: "One two. Three four five six.")
        let sentences = SentenceGrouper.sentences(of: segment)
        // Non-space characters: "One two." = 7, "Three four five six." = 17; 12 s × 7/24 = 3.5 s.
        #expect(sentences.map(\.text) == ["One two.", "Three four five six."])
        #expect(sentences.map(\.start) == [0, 3.5])
        #expect(sentences.map(\.end) == [3.5, 12])
    }

    @Test func sentencesNeverSpanSegments() {
        let transcript = Transcript(language: "en", duration: 5, segments: [
            TranscriptSegment(start: 0, end: 1, text: "so we went", words: alignedWords("so we went", start: 0)),
            TranscriptSegment(start: 2, end: 3, text: "home early.", words: alignedWords("home early.", start: 2)),
        ])
        #expect(SentenceGrouper.sentences(in: transcript).map(\.text) == ["so we went", "home early."])
        #expect(transcript.text == "so we went home early.")
    }

    @Test func joinedTextAddsSpacesOnlyBetweenSpacedScripts() {
        #expect(Transcript.joinedText(of: ["你好。", " Hello ", "world", "", "再见"]) == "你好。Hello world再见")
    }

    /// One engine word at a time (the pipeline asks this of Whisper's words).
    @Test func sentenceEndsSkipClosingMarksAndAbbreviations() {
        #expect(SentenceGrouper.endsSentence(word: "was."))
        #expect(SentenceGrouper.endsSentence(word: "said?\u{201D}"))
        #expect(SentenceGrouper.endsSentence(word: "了。"))
        #expect(!SentenceGrouper.endsSentence(word: "Mr."))
        #expect(!SentenceGrouper.endsSentence(word: "woman,"))
        #expect(!SentenceGrouper.endsSentence(word: "\u{201C}"))
    }
}
