import Foundation
import Testing
@testable import ScribaTranscript
@testable import ScribaFormats

// Every writer on a hand-built diarized transcript: two speakers, "Good morning." (Anna's) then
// "Hi. Shall we start?" (Tom's), with literal expected output.

@Suite struct SpeakerWriterTests {
    static let diarized: Transcript = {
        let words = [
            TimedWord(text: "Good", start: 0.5, end: 0.9), TimedWord(text: "morning", start: 1.0, end: 1.6),
            TimedWord(text: "Hi", start: 2.0, end: 2.3), TimedWord(text: "Shall", start: 2.6, end: 2.9),
            TimedWord(text: "we", start: 3.0, end: 3.2), TimedWord(text: "start", start: 3.3, end: 3.9),
        ]
        let plain = Transcript(language: "en", duration: 5, segments: [
            TranscriptSegment(start: 0.5, end: 3.9, text: "Good morning. Hi. Shall we start?", words: words),
        ])
        // Speaker 0 until 1.8 s, speaker 1 from 1.9 s (and again briefly over speaker 0 at 0.2–0.4).
        return plain.attributed(to: [SpeakerTurn(start: 0.4, end: 1.8, speaker: 0), SpeakerTurn(start: 1.9, end: 4.0, speaker: 1),
                                     SpeakerTurn(start: 4.5, end: 4.75, speaker: 0)])
    }()

    @Test func srtPrefixesEveryCueWithItsSpeaker() {
        // "Hi." (0.3 s) is short but stays apart from Anna's cue; it merges into Tom's next sentence.
        #expect(SRTWriter.render(Self.diarized) == """
            1
            00:00:00,500 --> 00:00:01,600
            SPEAKER_1: Good morning.

            2
            00:00:02,000 --> 00:00:03,900
            SPEAKER_2: Hi. Shall we start?


            """)
    }

    @Test func vttOpensEachCueWithAVoiceTag() {
        #expect(VTTWriter.render(Self.diarized) == """
            WEBVTT

            00:00:00.500 --> 00:00:01.600
            <v Speaker 1>Good morning.

            00:00:02.000 --> 00:00:03.900
            <v Speaker 2>Hi. Shall we start?

            """)
    }

    @Test func tsvHasASpeakerColumnAndTxtPrefixesLines() {
        #expect(TSVWriter.render(Self.diarized) == """
            start\tend\tspeaker\ttext
            500\t1600\tSPEAKER_1\tGood morning.
            2000\t2300\tSPEAKER_2\tHi.
            2600\t3900\tSPEAKER_2\tShall we start?

            """)
        #expect(TXTWriter.render(Self.diarized) == "SPEAKER_1: Good morning.\nSPEAKER_2: Hi.\nSPEAKER_2: Shall we start?\n")
    }

    @Test func rttmWritesTheTurnsUnderTheInputsName() {
        let text = render(.rttm, Self.diarized, options: OutputOptions(source: TranscriptSource(file: "meeting.m4a")))
        #expect(text == """
            SPEAKER meeting 1 0.400 1.400 <NA> <NA> SPEAKER_1 <NA> <NA>
            SPEAKER meeting 1 1.900 2.100 <NA> <NA> SPEAKER_2 <NA> <NA>
            SPEAKER meeting 1 4.500 0.250 <NA> <NA> SPEAKER_1 <NA> <NA>

            """)
    }

    @Test func jsonCarriesSpeakersOnWordsSegmentsAndSentencesPlusTalkTimeAndTurns() throws {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(JSONWriter.render(Self.diarized).utf8)) as? [String: Any])
        let segments = try #require(object["segments"] as? [[String: Any]])
        #expect(segments.map { $0["speaker"] as? String } == ["SPEAKER_1", "SPEAKER_2"])
        #expect(segments.map { $0["text"] as? String } == ["Good morning.", "Hi. Shall we start?"])
        let words = segments.flatMap { $0["words"] as? [[String: Any]] ?? [] }
        #expect(words.map { $0["speaker"] as? String } == ["SPEAKER_1", "SPEAKER_1"] + Array(repeating: "SPEAKER_2", count: 4))
        #expect((object["sentences"] as? [[String: Any]])?.map { $0["speaker"] as? String } == ["SPEAKER_1", "SPEAKER_2", "SPEAKER_2"])
        // Speaker 0: 1.4 + 0.25 s; speaker 1: 2.1 s.
        let speakers = try #require(object["speakers"] as? [[String: Any]])
        #expect(speakers.map { $0["speaker"] as? String } == ["SPEAKER_1", "SPEAKER_2"])
        #expect(speakers.map { $0["seconds"] as? Double } == [1.65, 2.1])
        #expect((object["turns"] as? [[String: Any]])?.count == 3)
        // And it reads back into the same transcript.
        #expect(try JSONDecoder().decode(Transcript.self, from: Data(JSONWriter.render(Self.diarized).utf8)).speakers?.map(\.id) == ["SPEAKER_1", "SPEAKER_2"])
    }

    @Test func plainTranscriptsWriteNoSpeakerAnywhere() {
        let plain = Transcript(language: "en", duration: 5, segments: Self.diarized.segments.map {
            var segment = $0
            segment.speaker = nil
            segment.words = segment.words.map { var word = $0; word.speaker = nil; return word }
            return segment
        })
        for format in OutputFormat.allCases {
            #expect(!render(format, plain).contains("SPEAKER"), "\(format)")
        }
        #expect(!JSONWriter.render(plain).contains("\"speaker"))
        #expect(TSVWriter.render(plain).hasPrefix("start\tend\ttext\n"))
        #expect(render(.rttm, plain).isEmpty)
    }

    @Test func minutesSayWhoSaidWhatWithParticipantNamesByFirstAppearance() throws {
        // Two names for two speakers: Anna is the first to speak, Tom the second. 1.65 s shows as 00:00:01
        // (HH:MM:SS truncates); shares 1.65 / 3.75 = 44 %, 2.1 / 3.75 = 56 %.
        let minutes = MinutesBuilder.minutes(for: Self.diarized, options: MinutesOptions(participants: ["Anna", "Tom"]))
        #expect(minutes.speakers.map(\.name) == ["Anna", "Tom"])
        #expect(minutes.utterances.map(\.speaker) == ["Anna", "Tom"])
        let markdown = MinutesMarkdownWriter.render(minutes)
        #expect(markdown.contains("""
            ## Speakers

            - Anna (SPEAKER_1): 00:00:01 (44 %)
            - Tom (SPEAKER_2): 00:00:02 (56 %)

            ## Who said what

            - [00:00:00] **Anna:** Good morning.
            - [00:00:02] **Tom:** Hi. Shall we start?

            """), "\(markdown)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(MinutesJSONWriter.render(minutes).utf8)) as? [String: Any])
        #expect((json["speakers"] as? [[String: Any]])?.map { $0["name"] as? String } == ["Anna", "Tom"])
        #expect((json["utterances"] as? [[String: Any]])?.map { $0["text"] as? String } == ["Good morning.", "Hi. Shall we start?"])
        // One name for two speakers: the second keeps its label.
        let one = MinutesBuilder.minutes(for: Self.diarized, options: MinutesOptions(participants: ["Anna"]))
        #expect(one.speakers.map(\.name) == ["Anna", "SPEAKER_2"])
        // Not diarized: no speaker sections.
        var plain = Self.diarized
        plain.turns = nil
        #expect(!MinutesMarkdownWriter.render(MinutesBuilder.minutes(for: plain)).contains("## Speakers"))
    }
}
