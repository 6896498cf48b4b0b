import Testing
@testable import ScribaPipeline

/// The fixtures come from scripts/fixtures/make_minutes_transcripts.py: 3 topics × 56 sentences,
/// one sentence per segment, action items at sentence indices 9, 40, 65, 96, 121, 152.
@Suite struct MinutesTests {
    static let topicStarts = [0, 56, 112]
    static let actionIndices = [9, 40, 65, 96, 121, 152]

    static let englishVocabulary: [Set<String>] = [
        ["budget", "spending", "invoices", "quarter", "revenue", "costs", "forecast", "margin", "expenses", "accounts"],
        ["office", "building", "lease", "desks", "furniture", "movers", "floor", "parking", "kitchen", "elevator"],
        ["candidates", "interview", "engineer", "recruiter", "offer", "resume", "salary", "onboarding", "references", "applicants"],
    ]
    static let chineseVocabulary: [[String]] = [
        ["预算", "成本", "发票", "季度", "收入", "财务", "报销", "利润", "开支", "账目"],
        ["办公室", "大楼", "租约", "桌椅", "家具", "楼层", "停车位", "钥匙", "茶水间", "电梯"],
        ["候选人", "面试", "工程师", "简历", "薪资", "入职", "猎头", "推荐信", "应聘者", "录用"],
    ]

    /// Checks shared by both languages; `keywordFits(topic, keyword)` says whether a keyword
    /// belongs to that topic's vocabulary.
    func checkStructure(_ transcript: Transcript, _ minutes: Minutes, terminal: Character,
                        keywordFits: (Int, String) -> Bool) {
        #expect(minutes.sentences.count == 168)
        #expect(minutes.duration == transcript.duration)

        // Topics: three, boundaries within 2 sentences of the true ones.
        #expect(minutes.topics.count == 3)
        guard minutes.topics.count == 3 else { return }
        for (topic, expected) in zip(minutes.topics, Self.topicStarts) {
            #expect(abs(topic.sentenceRange.lowerBound - expected) <= 2, "topic starts at \(topic.sentenceRange)")
        }
        #expect(minutes.topics.last!.sentenceRange.upperBound == 168)
        for (index, topic) in minutes.topics.enumerated() {
            #expect(topic.keywords.count == 5)
            for keyword in topic.keywords {
                #expect(keywordFits(index, keyword), "topic \(index): keyword \(keyword)")
            }
        }

        // Action items: exactly the six planted sentences.
        let expectedActions = Self.actionIndices.map { transcript.segments[$0].text }
        #expect(minutes.actionItems.map(\.text) == expectedActions)
        #expect(minutes.actionItems.map(\.start) == Self.actionIndices.map { transcript.segments[$0].start })

        // Summary: 5 sentences in time order covering every topic.
        #expect(minutes.summary.count == 5)
        #expect(minutes.summary.map(\.start) == minutes.summary.map(\.start).sorted())
        let summaryIndices = minutes.summary.compactMap { s in transcript.segments.firstIndex { $0.start == s.start } }
        #expect(summaryIndices.count == 5)
        for (topic, start) in Self.topicStarts.enumerated() {
            let end = topic + 1 < Self.topicStarts.count ? Self.topicStarts[topic + 1] : 168
            #expect(summaryIndices.contains { (start..<end).contains($0) }, "no summary sentence from topic \(topic)")
        }

        // Timeline: 5-minute entries; each sentence in the entry where it starts.
        let entries = Int((transcript.duration / 300).rounded(.up))
        #expect(minutes.timeline.count == entries)
        #expect(minutes.timeline.map(\.start) == (0..<entries).map { Double($0) * 300 })
        #expect(minutes.timeline.last?.end == transcript.duration)
        for entry in minutes.timeline {
            let expected = transcript.segments.filter { $0.start >= entry.start && $0.start < entry.start + 300 }.count
            #expect(entry.text.filter { $0 == terminal }.count == expected)
        }
    }

    @Test func englishMeetingTopicsActionsSummaryTimeline() throws {
        let transcript = try loadTranscriptFixture("minutes-en.json")
        let minutes = MinutesBuilder.minutes(for: transcript)
        checkStructure(transcript, minutes, terminal: ".") { Self.englishVocabulary[$0].contains($1) }
        #expect(minutes.actionItems.map(\.cues) == [
            ["will", "by friday"], ["action item", "needs to"], ["will"],
            ["need to", "by next week"], ["responsible for"], ["will", "by monday"],
        ])
    }

    @Test func chineseMeetingUsesCharacterBigrams() throws {
        let transcript = try loadTranscriptFixture("minutes-zh.json")
        let minutes = MinutesBuilder.minutes(for: transcript)
        checkStructure(transcript, minutes, terminal: "。") { topic, keyword in
            Self.chineseVocabulary[topic].contains { $0.contains(keyword) }
        }
        #expect(minutes.actionItems.map(\.cues) == [["需要"], ["负责"], ["安排"], ["下周"], ["安排", "负责"], ["截止", "下周"]])
    }

    @Test func termsAreWordsOrCJKBigrams() {
        #expect(MinutesBuilder.terms(in: "预算和成本") == ["预算", "算和", "和成", "成本"])
        #expect(MinutesBuilder.terms(in: "The budget and the costs, again! OK") == ["budget", "costs", "again"])
        #expect(MinutesBuilder.terms(in: "我们的预算") == ["们的", "的预", "预算"])   // 我们 is a stop bigram
    }

    @Test func actionCuesMatchWholeWordsOnly() {
        #expect(MinutesBuilder.actionCues(in: "Goodwill matters.") == [])
        #expect(MinutesBuilder.actionCues(in: "We will ship it by Friday.") == ["will", "by friday"])
        #expect(MinutesBuilder.actionCues(in: "方案截止到下周一。") == ["截止", "下周"])
    }

    @Test func emptyTranscriptGivesEmptyMinutes() {
        let minutes = MinutesBuilder.minutes(for: Transcript(language: "en", duration: 0, segments: []))
        #expect(minutes.timeline.count == 1 && minutes.timeline[0].text.isEmpty)
        #expect(minutes.topics.isEmpty && minutes.actionItems.isEmpty && minutes.summary.isEmpty)
    }
}
