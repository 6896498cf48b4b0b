import Testing
import ScribaFormats
import ScribaTranscript

struct RTTMWriterTests {
    let turns = [SpeakerTurn(start: 0.5, end: 3.25, speaker: 0), SpeakerTurn(start: 3.0, end: 4.0004, speaker: 1)]

    @Test func oneSpeakerLinePerTurn() {
        #expect(RTTMWriter.render(turns, fileID: "my talk") == """
            SPEAKER my_talk 1 0.500 2.750 <NA> <NA> SPEAKER_1 <NA> <NA>
            SPEAKER my_talk 1 3.000 1.000 <NA> <NA> SPEAKER_2 <NA> <NA>

            """)
    }

    @Test func namesReplaceLabelsWithoutSpaces() {
        #expect(RTTMWriter.render([turns[1]], fileID: "x", speakerNames: ["Ann", "Bob Smith"])
            == "SPEAKER x 1 3.000 1.000 <NA> <NA> Bob_Smith <NA> <NA>\n")
    }

    @Test func jsonListsSpeakersWithTalkTimeThenTurns() {
        let json = DiarizationJSONWriter.render(turns, duration: 5)
        #expect(json.contains(#"{"speaker": "SPEAKER_1", "seconds": 2.750}"#))
        #expect(json.contains(#"{"start": 3.000, "end": 4.000, "speaker": "SPEAKER_2"}"#))
    }
}
