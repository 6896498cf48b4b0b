import Foundation
import Testing
import ScribaTranscript

// Diarization's turns put on a transcript's words (`Transcript.attributed(to:)`), hand-built so every
// expected value follows from the arithmetic in the comments.

@Suite struct SpeakerAttributionTests {
    /// "Hello there. How are you?" — two words before 1.2 s, three after 2.0 s.
    static let segment = TranscriptSegment(start: 0, end: 3, text: "Hello there. How are you?", words: [
        TimedWord(text: "Hello", start: 0.0, end: 0.5), TimedWord(text: "there", start: 0.5, end: 1.0),
        TimedWord(text: "How", start: 2.0, end: 2.3), TimedWord(text: "are", start: 2.3, end: 2.6),
        TimedWord(text: "you", start: 2.6, end: 3.0),
    ])

    @Test func aWordGetsTheSpeakerCoveringMostOfIt() {
        // 1.0–2.0: speaker 0 covers 1.0–1.3 (0.3 s), speaker 1 covers 1.3–2.0 (0.7 s).
        let turns = [SpeakerTurn(start: 0, end: 1.3, speaker: 0), SpeakerTurn(start: 1.3, end: 3, speaker: 1)]
        #expect(SpeakerAttribution.speaker(start: 1.0, end: 2.0, turns: turns) == 1)
        // 0.5–1.5: 0.8 s of speaker 0 against 0.2 s of speaker 1.
        #expect(SpeakerAttribution.speaker(start: 0.5, end: 1.5, turns: turns) == 0)
        // Overlapped speech: both cover all of it, the earlier speaker wins the tie.
        let overlapping = [SpeakerTurn(start: 0, end: 2, speaker: 1), SpeakerTurn(start: 0, end: 2, speaker: 0)]
        #expect(SpeakerAttribution.speaker(start: 0.5, end: 1, turns: overlapping) == 0)
    }

    @Test func aWordInNoTurnGetsTheNearestTurnsSpeaker() {
        let turns = [SpeakerTurn(start: 0, end: 1, speaker: 0), SpeakerTurn(start: 5, end: 6, speaker: 1)]
        // Middle 4.0: 3.0 s after speaker 0's turn, 1.0 s before speaker 1's.
        #expect(SpeakerAttribution.speaker(start: 3.9, end: 4.1, turns: turns) == 1)
        #expect(SpeakerAttribution.speaker(start: 1.5, end: 1.5, turns: turns) == 0)
        #expect(SpeakerAttribution.speaker(start: 1, end: 2, turns: []) == nil)
    }

    @Test func aSegmentIsCutWhereTheSpeakerChangesKeepingItsPunctuation() {
        let turns = [SpeakerTurn(start: 0, end: 1.2, speaker: 0), SpeakerTurn(start: 1.8, end: 3.1, speaker: 1)]
        let transcript = Transcript(language: "en", duration: 3, segments: [Self.segment]).attributed(to: turns)
        #expect(transcript.segments.map(\.text) == ["Hello there.", "How are you?"])
        #expect(transcript.segments.map(\.speaker) == ["SPEAKER_1", "SPEAKER_2"])
        #expect(transcript.words.map(\.speaker) == ["SPEAKER_1", "SPEAKER_1", "SPEAKER_2", "SPEAKER_2", "SPEAKER_2"])
        #expect(transcript.segments[1].start == 2.0 && transcript.segments[1].end == 3.0)
        // The whole text is unchanged.
        #expect(transcript.text == "Hello there. How are you?")
        // Sentences and their words carry the speaker.
        let sentences = SentenceGrouper.sentences(in: transcript)
        #expect(sentences.map(\.speaker) == ["SPEAKER_1", "SPEAKER_2"])
        #expect(sentences[1].words.allSatisfy { $0.speaker == "SPEAKER_2" })
    }

    @Test func aSpeakerChangeInsideASentenceCutsItToo() {
        // "How" (2.0–2.3) is speaker 0's, "are you" speaker 1's: the question is cut after "How".
        let turns = [SpeakerTurn(start: 0, end: 2.3, speaker: 0), SpeakerTurn(start: 2.3, end: 3, speaker: 1)]
        let transcript = Transcript(language: "en", duration: 3, segments: [Self.segment]).attributed(to: turns)
        #expect(transcript.segments.map(\.text) == ["Hello there. How", "are you?"])
        let cues = SubtitleShaper.cues(for: transcript)
        #expect(cues.map(\.speaker) == ["SPEAKER_1", "SPEAKER_2"])
    }

    @Test func aSegmentWithoutWordsTakesTheSpeakerOfMostOfIt() {
        let plain = Transcript(language: "en", duration: 4, segments: [TranscriptSegment(start: 1, end: 4, text: "No word times.")])
        // 1–4: speaker 0 covers 1–1.5, speaker 1 covers 1.5–4.
        let transcript = plain.attributed(to: [SpeakerTurn(start: 0, end: 1.5, speaker: 0), SpeakerTurn(start: 1.5, end: 4, speaker: 1)])
        #expect(transcript.segments.map(\.speaker) == ["SPEAKER_2"])
        #expect(transcript.segments.map(\.text) == ["No word times."])
    }

    @Test func speakersSumTheirTurnsAndUtterancesJoinOneSpeakersSegments() {
        let turns = [SpeakerTurn(start: 0, end: 1.2, speaker: 0), SpeakerTurn(start: 1.8, end: 2.5, speaker: 1),
                     SpeakerTurn(start: 2.5, end: 3.1, speaker: 0)]
        let more = TranscriptSegment(start: 5, end: 6, text: "Fine.", words: [TimedWord(text: "Fine", start: 5, end: 6)])
        let transcript = Transcript(language: "en", duration: 6, segments: [Self.segment, more]).attributed(to: turns)
        // Speaker 0: 1.2 + 0.6 s; speaker 1: 0.7 s.
        let speakers = transcript.speakers ?? []
        #expect(speakers.map(\.id) == ["SPEAKER_1", "SPEAKER_2"])
        #expect(abs(speakers[0].talkSeconds - 1.8) < 1e-9 && abs(speakers[1].talkSeconds - 0.7) < 1e-9)
        // "How are" (2.0–2.6: 0.5 s of speaker 1, 0.1 s of speaker 0 for "are"), "you" and "Fine" nearest/covered by 0.
        #expect(transcript.words.map(\.speaker) == ["SPEAKER_1", "SPEAKER_1", "SPEAKER_2", "SPEAKER_2", "SPEAKER_1", "SPEAKER_1"])
        #expect(transcript.utterances.map(\.speaker) == ["SPEAKER_1", "SPEAKER_2", "SPEAKER_1"])
        #expect(transcript.utterances.map(\.text) == ["Hello there.", "How are", "you? Fine."])
        #expect(transcript.utterances.last?.start == 2.6 && transcript.utterances.last?.end == 6)
    }

    @Test func aTranscriptThatWasNotDiarizedHasNoSpeakers() {
        let transcript = Transcript(language: "en", duration: 3, segments: [Self.segment])
        #expect(transcript.speakers == nil && transcript.utterances.isEmpty)
        #expect(SubtitleShaper.cues(for: transcript).allSatisfy { $0.speaker == nil })
    }

    @Test func aShortCueNeverMergesAcrossASpeakerChange() {
        // "Yes." (0.3 s) is far under the 0.833 s minimum; alone it would merge into the next cue.
        let segments = [
            TranscriptSegment(start: 0, end: 0.3, text: "Yes.", words: [TimedWord(text: "Yes", start: 0, end: 0.3)]),
            TranscriptSegment(start: 0.5, end: 2.5, text: "We start at nine.", words: [
                TimedWord(text: "We", start: 0.5, end: 0.8), TimedWord(text: "start", start: 0.9, end: 1.4),
                TimedWord(text: "at", start: 1.5, end: 1.7), TimedWord(text: "nine", start: 1.8, end: 2.5),
            ]),
        ]
        let plain = Transcript(language: "en", duration: 3, segments: segments)
        #expect(SubtitleShaper.cues(for: plain).count == 1, "without speakers the short cue merges")
        let diarized = plain.attributed(to: [SpeakerTurn(start: 0, end: 0.4, speaker: 0), SpeakerTurn(start: 0.45, end: 2.6, speaker: 1)])
        let cues = SubtitleShaper.cues(for: diarized)
        #expect(cues.map(\.text) == ["Yes.", "We start at nine."])
        #expect(cues.map(\.speaker) == ["SPEAKER_1", "SPEAKER_2"])
    }

    @Test func aDiarizedTranscriptRoundTripsThroughCodable() throws {
        let transcript = Transcript(language: "en", duration: 3, segments: [Self.segment])
            .attributed(to: [SpeakerTurn(start: 0, end: 1.2, speaker: 0), SpeakerTurn(start: 1.8, end: 3.1, speaker: 1)])
        let data = try JSONEncoder().encode(transcript)
        #expect(String(decoding: data, as: UTF8.self).contains(#""speaker":"SPEAKER_2""#))
        #expect(try JSONDecoder().decode(Transcript.self, from: data) == transcript)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(SpeakerTurn.self, from: Data(#"{"start":0,"end":1,"speaker":"Anna"}"#.utf8))
        }
    }
}
