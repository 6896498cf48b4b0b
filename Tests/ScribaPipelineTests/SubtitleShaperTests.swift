import Testing
@testable import ScribaPipeline
@testable import ScribaTranscript

/// One transcript with one segment per sentence, words from `alignedWords`.
private func transcript(_ sentences: [(String, Double, Double, Double)], language: String = "en", duration: Double = 30) -> Transcript {
    Transcript(language: language, duration: duration, segments: sentences.map { text, start, wordDuration, gap in
        let words = alignedWords(text, start: start, duration: wordDuration, gap: gap)
        return TranscriptSegment(start: start, end: words.last!.end, text: text, words: words)
    })
}

@Suite struct SubtitleShaperTests {
    @Test func shortCueIsExtendedToMinimumDuration() {
        let cues = SubtitleShaper.cues(for: transcript([("Yes.", 1.0, 0.2, 0)]))
        #expect(cues == [Cue(start: 1.0, end: 1.833, lines: ["Yes."])])
    }

    @Test func longSentenceSplitsAfterCommaWithBalancedLines() {
        let text = "The committee reviewed every proposal carefully, and then it published the final results online."
        let cues = SubtitleShaper.cues(for: transcript([(text, 0, 0.4, 0.1)]))
        #expect(cues.count == 2)
        #expect(cues[0].lines == ["The committee reviewed", "every proposal carefully,"])
        #expect(cues[1].text.replacingOccurrences(of: "\n", with: " ") == "and then it published the final results online.")
        // Word 6 ends at 5 × 0.5 + 0.4 = 2.9 s; the next cue's first word starts at 3.0 s.
        #expect(abs(cues[0].start - 0) < 1e-9 && abs(cues[0].end - 2.9) < 1e-9)
        #expect(abs(cues[1].start - 3.0) < 1e-9 && abs(cues[1].end - 6.9) < 1e-9)
    }

    @Test func withoutPunctuationSplitsBeforeConjunction() {
        let text = "we walked along the river for hours because the weather was warm and the water looked calm"
        let cues = SubtitleShaper.cues(for: transcript([(text, 0, 0.4, 0.1)]))
        #expect(cues.map(\.lines) == [
            ["we walked along the river for hours"],
            ["because the weather was warm", "and the water looked calm"],
        ])
    }

    @Test func lineBreakPrefersPunctuation() {
        let text = "When the meeting ended, everyone went home to rest for the weekend"
        let cues = SubtitleShaper.cues(for: transcript([(text, 0, 0.2, 0.05)]))
        #expect(cues.map(\.lines) == [["When the meeting ended,", "everyone went home to rest for the weekend"]])
    }

    @Test func plainLineBreakIsBalanced() {
        let text = "The quick brown fox jumps over the lazy dog near the river bank today"
        let cues = SubtitleShaper.cues(for: transcript([(text, 0, 0.2, 0.05)]))
        #expect(cues.count == 1)
        let lengths = cues[0].lines.map(\.count)
        #expect(lengths.count == 2)
        #expect(lengths.allSatisfy { $0 <= 42 })
        #expect(abs(lengths[0] - lengths[1]) <= 6)
    }

    @Test func tooShortCueMergesIntoNearNeighbour() {
        let cues = SubtitleShaper.cues(for: transcript([("Yes.", 1.0, 0.2, 0), ("I agree.", 1.4, 0.2, 0.1)]))
        // "Yes." lasts 0.2 s < 0.833 s; 0.2 s of silence to "I agree." (1.4–1.9 s) → one cue.
        #expect(cues == [Cue(start: 1.0, end: 1.9, lines: ["Yes. I agree."])])
    }

    @Test func adjacentCuesKeepTwoFrameGap() {
        let cues = SubtitleShaper.cues(for: transcript([
            ("First sentence here.", 0, 0.45, 0.05), ("Second one follows.", 1.45, 0.45, 0.05),
        ]))
        #expect(cues.count == 2)
        #expect(abs(cues[0].end - 1.37) < 1e-9)   // 1.45 − 0.08
        #expect(abs(cues[1].start - 1.45) < 1e-9)
    }

    @Test func fastSpeechBorrowsSilenceBeforeToReachReadingSpeed() {
        let cues = SubtitleShaper.cues(for: transcript([
            ("Alpha.", 0, 0.9, 0),
            ("Seven quick words were spoken far too fast.", 5.0, 0.1, 0.025),
            ("Then the next speaker continued slowly.", 6.0, 0.3, 0.05),
        ]))
        #expect(cues.count == 3)
        // 43 characters at 20 cps need 2.15 s; the cue must end by 6.0 − 0.08 = 5.92 s,
        // so it starts at 5.92 − 2.15 = 3.77 s, inside the silence after "Alpha." (ends 0.9 s).
        #expect(abs(cues[1].end - 5.92) < 1e-9)
        #expect(abs(cues[1].start - 3.77) < 1e-9)
        #expect(Double(cues[1].characterCount) / (cues[1].end - cues[1].start) <= 20 + 1e-9)
        #expect(cues[0] == Cue(start: 0, end: 0.9, lines: ["Alpha."]))
    }

    @Test func chineseUsesSixteenCharacterLinesAndNoSpaces() {
        let text = "今天我们讨论一下明年的预算安排，以及办公室搬迁的具体时间和费用问题。"
        let han = text.filter { $0 != "，" && $0 != "。" }
        let words = han.enumerated().map { TimedWord(text: String($1), start: Double($0) * 0.2, end: Double($0 + 1) * 0.2) }
        let t = Transcript(language: "zh", duration: 10, segments: [TranscriptSegment(start: 0, end: 6.4, text: text, words: words)])
        let cues = SubtitleShaper.cues(for: t)
        #expect(cues.count == 2)
        #expect(cues[0].lines == ["今天我们讨论一下明年的预算安排，"])
        #expect(cues[1].lines.count == 2)
        #expect(cues[1].lines.allSatisfy { $0.count <= 16 && !$0.contains(" ") })
        #expect(cues[1].lines.joined() == "以及办公室搬迁的具体时间和费用问题。")
    }

    @Test func sentenceLongerThanMaxDurationIsSplit() {
        // 12 words × 0.7 s = 8.4 s > 7 s, although 59 characters fit two lines.
        let text = "one two three four five six seven eight nine ten eleven twelve"
        let cues = SubtitleShaper.cues(for: transcript([(text, 0, 0.6, 0.1)]))
        #expect(cues.count == 2)
        #expect(cues.allSatisfy { $0.end - $0.start <= 7 })
        #expect(cues.map { $0.text.replacingOccurrences(of: "\n", with: " ") }.joined(separator: " ") == text)
    }

    @Test func neverBreaksBetweenPiecesOfOneWrittenWord() {
        // The aligner cut "3.5" into "3" and "5"; at 12-character lines the most balanced break
        // ("Prices 3." 9 | "5 higher" 8) falls between them; the next best keeps them together
        // (6 | 10 and 10 | 6 tie; the earlier break wins).
        let words = alignedWords("Prices 3 5 higher", start: 0)
        let t = Transcript(language: "en", duration: 5, segments: [
            TranscriptSegment(start: 0, end: 1.35, text: "Prices 3.5 higher", words: words),
        ])
        let cues = SubtitleShaper.cues(for: t, options: CueOptions(maxLineChars: 12))
        #expect(cues.map(\.lines) == [["Prices", "3.5 higher"]])
    }

    @Test func defaultLimitsFollowTheScript() {
        let latin = CueOptions().resolved(for: .latin)
        let cjk = CueOptions().resolved(for: .cjk)
        #expect([latin.maxLineChars, cjk.maxLineChars] == [42, 16])
        #expect([latin.maxCPS, cjk.maxCPS] == [20, 17])
        #expect(latin.maxLines == 2 && latin.minDuration == 0.833 && latin.maxDuration == 7 && latin.minGap == 0.08)
        #expect(CueOptions(maxLineChars: 30).resolved(for: .cjk).maxLineChars == 30)
        // Impossible values are clamped instead of trapping later.
        let odd = CueOptions(maxLineChars: 0, maxLines: 0, maxCPS: -1, minDuration: 3, maxDuration: 1).resolved(for: .latin)
        #expect(odd.maxLineChars == 1 && odd.maxLines == 1 && odd.maxCPS == 20 && odd.maxDuration == 3)
        // Script: by language code first, then by majority of units (a CJK character or a word).
        let options = CueOptions()
        #expect(options.script(for: Transcript(language: "ja", duration: 0, text: "OK", segments: [])) == .cjk)
        #expect(options.script(for: Transcript(language: "", duration: 0, text: "我们用Python", segments: [])) == .cjk)
        #expect(options.script(for: Transcript(language: "", duration: 0, text: "we use 中文 here", segments: [])) == .latin)
    }

    @Test func lastCueStopsAtMediaEndUnlessLengthUnknown() {
        let words = [TimedWord(text: "Bye", start: 4.5, end: 4.7)]
        let segment = TranscriptSegment(start: 4.5, end: 4.7, text: "Bye.", words: words)
        // Media ends at 5.0 s: "Bye." cannot reach 4.5 + 0.833 s, so it starts earlier, at 5.0 − 0.833.
        let bounded = SubtitleShaper.cues(for: Transcript(language: "en", duration: 5.0, segments: [segment]))
        #expect(bounded.count == 1 && abs(bounded[0].end - 5.0) < 1e-9 && abs(bounded[0].start - 4.167) < 1e-9)
        let unknown = SubtitleShaper.cues(for: Transcript(language: "en", duration: 0, segments: [segment]))
        #expect(unknown.count == 1 && abs(unknown[0].start - 4.5) < 1e-9 && abs(unknown[0].end - 5.333) < 1e-9)
    }

    @Test func emptyTranscriptHasNoCues() {
        #expect(SubtitleShaper.cues(for: Transcript(language: "en", duration: 0, segments: [])).isEmpty)
    }

    /// One word per character, 0.1 s each, no spaces: Whisper's units in Japanese and Chinese.
    func characters(_ text: String) -> ArraySlice<SentenceWord> {
        ArraySlice(text.enumerated().map { index, character in
            SentenceWord(text: String(character), start: Double(index) * 0.1, end: Double(index + 1) * 0.1, spaceBefore: false)
        })
    }

    @Test func japaneseAndChineseLinesFollowTheKinsokuRules() {
        let limits = CueOptions(maxLineChars: 12).resolved(for: .cjk)
        // 20 characters in 2 lines: the even split (10 | 10) would start line 2 with the small ッ;
        // ャ before it is small too, so the break moves to キ or チ.
        let lines = SubtitleShaper.breakLines(characters("きのうはみんなでキャッチボールをしました"), limits: limits)
        #expect(lines.count == 2 && lines.joined() == "きのうはみんなでキャッチボールをしました")
        #expect(lines == ["きのうはみんなで", "キャッチボールをしました"] || lines == ["きのうはみんなでキャッ", "チボールをしました"])
        // No line starts with ー or a closing mark, none ends with an opening bracket.
        for text in ["これはテストのデータ「ほんもの」でーーーーす", "我们今天讨论（预算）和成本，明天再说。", "ラーメンとコーヒーとケーキとビール"] {
            for line in SubtitleShaper.breakLines(characters(text), limits: CueOptions(maxLineChars: 8, maxLines: 3).resolved(for: .cjk)) {
                #expect(!ScriptClass.mayNotStartLine(line.first ?? "a"), "\(text): line starts with \(line.first.map(String.init) ?? "")")
                #expect(!ScriptClass.isOpening(line.last ?? "a"), "\(text): line ends with \(line.last.map(String.init) ?? "")")
            }
        }
        // The rule set itself.
        #expect(["ゃ", "ッ", "ー", "」", "）", "。", "、", "々"].allSatisfy { ScriptClass.mayNotStartLine(Character($0)) })
        #expect(!["キ", "今", "「", "a"].contains { ScriptClass.mayNotStartLine(Character($0)) })
    }
}
