import Testing
@testable import ScribaModels

// `parse_asr_output` / `detect_and_fix_repetitions` (qwen-asr 0.0.6 inference/utils.py) on hand-made
// strings; the expected values follow the Python code step by step.

struct Qwen3ASROutputTests {
    @Test func taggedOutputGivesLanguageAndText() {
        let parsed = Qwen3ASROutput.parse("language english<asr_text> Hello there. ", forcedLanguage: nil)
        #expect(parsed.language == "English" && parsed.text == "Hello there.")
    }

    @Test func languageLineMayComeAfterOtherLines() {
        // The first non-empty line starting with "language " (any case) wins; values are normalised.
        let parsed = Qwen3ASROutput.parse("note\n  LANGUAGE  cHINese \nlanguage German<asr_text>你好", forcedLanguage: nil)
        #expect(parsed.language == "Chinese" && parsed.text == "你好")
    }

    @Test func languageNoneMeansNoSpeech() {
        #expect(Qwen3ASROutput.parse("language None<asr_text>", forcedLanguage: nil) == ("", ""))
        #expect(Qwen3ASROutput.parse("language None<asr_text> hm ", forcedLanguage: nil) == ("", "hm"))
    }

    @Test func untaggedOutputIsAllText() {
        #expect(Qwen3ASROutput.parse("  just words\n", forcedLanguage: nil) == ("", "just words"))
        #expect(Qwen3ASROutput.parse(" \n\t ", forcedLanguage: nil) == ("", ""))
    }

    @Test func forcedLanguageKeepsTheWholeOutput() {
        // Forced: no tag splitting; only strip + repetition fix.
        #expect(Qwen3ASROutput.parse(" a<asr_text>b ", forcedLanguage: "French") == ("French", "a<asr_text>b"))
    }

    @Test func characterRunsOverTwentyCollapse() {
        let twenty = String(repeating: "a", count: 20), twentyOne = String(repeating: "a", count: 21)
        #expect(Qwen3ASROutput.fixRepetitions("x" + twenty + "y") == "x" + twenty + "y")
        #expect(Qwen3ASROutput.fixRepetitions("x" + twentyOne + "y") == "xay")
    }

    @Test func patternRepeatedTwentyTimesCollapses() {
        // "ab" × 20 from index 1, then "ab" × 3 more are consumed, and the rest is fixed recursively.
        let input = "z" + String(repeating: "ab", count: 23) + "tail"
        #expect(Qwen3ASROutput.fixRepetitions(input) == "zabtail")
        // 19 repeats are left alone.
        let nineteen = "z" + String(repeating: "ab", count: 19) + "tail"
        #expect(Qwen3ASROutput.fixRepetitions(nineteen) == nineteen)
        // The rest after a collapsed pattern is itself fixed: two different loops.
        let twoLoops = String(repeating: "hi ", count: 20) + String(repeating: "yo!", count: 25)
        #expect(Qwen3ASROutput.fixRepetitions(twoLoops) == "hi yo!")
    }

    @Test func codePointsNotGraphemesAreCounted() {
        // "é" as e + U+0301 is two code points in Python; 21 of them do not form a one-character run.
        let decomposed = String(repeating: "e\u{301}", count: 21)
        // …but they do form a 2-code-point pattern repeated 21 times.
        #expect(Qwen3ASROutput.fixRepetitions(decomposed).unicodeScalars.count == 2)
    }

    @Test func pythonWhitespaceIncludesFileSeparators() {
        // U+001C…U+001F are str.isspace() in Python, so strip() removes them.
        #expect(Qwen3ASROutput.parse("\u{1C}text\u{1F}", forcedLanguage: nil) == ("", "text"))
    }
}
