import Foundation
import Testing
@testable import ScribaTranscript
@testable import ScribaFormats

@Suite struct MinutesWriterTests {
    static let minutes: Minutes = {
        let first = Sentence(text: "Hello everyone, the budget is fine.", start: 1, end: 4)
        let second = Sentence(text: #"Tom will send the "final" costs."#, start: 260, end: 262.5)
        return Minutes(
            language: "en", duration: 3725.5, sentences: [first, second],
            timeline: [
                .init(start: 0, end: 300, text: first.text),
                .init(start: 300, end: 600, text: ""),
            ],
            topics: [
                .init(start: 0, end: 250.4, keywords: ["budget", "costs"], sentenceRange: 0..<1),
                .init(start: 260, end: 590, keywords: [], sentenceRange: 1..<2),
            ],
            actionItems: [.init(start: 260, end: 262.5, text: second.text, cues: ["will"])],
            summary: [first], transcription: first.text + " " + second.text, participants: ["Anna", "Tom"])
    }()

    @Test func markdown() {
        // 3725.5 s → 01:02:05; 250.4 s → 00:04:10; 590 s → 00:09:50.
        #expect(MinutesMarkdownWriter.render(Self.minutes) == """
            # Meeting minutes

            - Duration: 01:02:05
            - Language: en
            - Sentences: 2
            - Participants: Anna, Tom

            ## Summary

            - [00:00:01] Hello everyone, the budget is fine.

            ## Topics

            1. 00:00:00 – 00:04:10: budget, costs
            2. 00:04:20 – 00:09:50

            ## Action items

            - [ ] [00:04:20] Tom will send the "final" costs.

            ## Timeline

            ### 00:00:00 – 00:05:00

            Hello everyone, the budget is fine.

            ### 00:05:00 – 00:10:00

            (silence)

            """)
    }

    @Test func json() {
        #expect(MinutesJSONWriter.render(Self.minutes) == #"""
            {
              "meeting_info": {"duration": 3725.500, "language": "en", "total_sentences": 2},
              "participants": ["Anna", "Tom"],
              "language": "en",
              "duration": 3725.500,
              "summary": [
                {"start": 1.000, "end": 4.000, "text": "Hello everyone, the budget is fine."}
              ],
              "topics": [
                {
                  "start": 0.000,
                  "end": 250.400,
                  "keywords": ["budget", "costs"],
                  "first_sentence": 0,
                  "sentence_count": 1
                },
                {
                  "start": 260.000,
                  "end": 590.000,
                  "keywords": [],
                  "first_sentence": 1,
                  "sentence_count": 1
                }
              ],
              "action_items": [
                {
                  "start": 260.000,
                  "end": 262.500,
                  "text": "Tom will send the \"final\" costs.",
                  "cues": ["will"]
                }
              ],
              "timeline": [
                {"start": 0.000, "end": 300.000, "text": "Hello everyone, the budget is fine."},
                {"start": 300.000, "end": 600.000, "text": ""}
              ],
              "transcription": "Hello everyone, the budget is fine. Tom will send the \"final\" costs."
            }

            """#)
    }

    @Test func fixtureMeetingRendersSixActionItemsAndValidJSON() throws {
        let transcript = try JSONDecoder().decode(Transcript.self, from: Data(try goldenFile("minutes-en.json").utf8))
        let minutes = MinutesBuilder.minutes(for: transcript)
        let markdown = MinutesMarkdownWriter.render(minutes)
        #expect(markdown.split(separator: "\n").filter { $0.hasPrefix("- [ ] ") }.count == 6)
        #expect(markdown.split(separator: "\n").filter { $0.hasPrefix("### ") }.count == 4)
        let parsed = try JSONSerialization.jsonObject(with: Data(MinutesJSONWriter.render(minutes).utf8)) as? [String: Any]
        #expect((parsed?["topics"] as? [Any])?.count == 3)
        #expect((parsed?["action_items"] as? [Any])?.count == 6)
        #expect((parsed?["summary"] as? [Any])?.count == 5)
    }
}
