import Foundation
import Testing
import ScribaAudio
@testable import ScribaPipeline

/// Whisper-like: `whole` for a piece as long as the chunk, `part` (piece times) for a shorter piece,
/// the way a decoder that skipped speech in the chunk hears it when given that stretch (with the
/// two seconds before it) on its own.
private struct SkippingRecognizer: SpeechRecognizer {
    let modelName = "skipping"
    let maxChunkDuration: Double = 30
    let chunkSeconds: Double
    let whole: [TranscriptSegment]
    let part: [TranscriptSegment]
    func transcribe(_ audio: AudioBuffer, options: RecognitionOptions) async throws -> Recognition {
        let segments = audio.duration >= chunkSeconds - 0.01 ? whole : part
        return Recognition(language: "en", text: segments.map(\.text).joined(separator: " "), segments: segments)
    }
}

struct SkippedSpeechTests {
    /// 16 kHz, 5 s: a 220 Hz tone over each of `spans`, digital silence elsewhere.
    func speech(_ spans: [ClosedRange<Double>], total: Double = 5) -> AudioBuffer {
        let rate = 16000
        let samples = (0..<Int(total * Double(rate))).map { i -> Float in
            let t = Double(i) / Double(rate)
            return spans.contains { $0.contains(t) } ? Float(0.3 * sin(2 * Double.pi * 220 * t)) : 0
        }
        return AudioBuffer(samples: samples, sampleRate: rate)
    }

    func segment(_ words: [(String, Double, Double)]) -> TranscriptSegment {
        let timed = words.map { TimedWord(text: $0.0, start: $0.1, end: $0.2) }
        return TranscriptSegment(start: timed[0].start, end: timed[timed.count - 1].end,
                                 text: words.map(\.0).joined(separator: " "), words: timed)
    }

    let options = byEnergy(PipelineOptions(recognition: .init(language: Language.known[1]), trimWordsToSpeech: false))

    @Test func speechAfterTheLastWordIsDecodedAgainAndItsWordsAppended() async throws {
        // Speech 1.0–4.0 s; the decoder stopped after "One" (1.0–1.4). The stretch is 1.5–4.0 (past
        // "One"'s claim: its end + the 0.1 s margin); given 0.0–4.2 s (2 s lead, clipped at the
        // chunk start) the decoder hears "One two three.".
        let recognizer = SkippingRecognizer(chunkSeconds: 5, whole: [segment([("One", 1.0, 1.4)])],
                                            part: [segment([("One", 1.0, 1.4), ("two", 1.7, 2.3), ("three.", 2.3, 3.0)])])
        let pipeline = TranscriptionPipeline(recognizer: recognizer, chunker: FixedWindowChunker())
        let transcript = try await pipeline.transcribe(speech([1.0...4.0]), options: options)
        #expect(transcript.words.map(\.text) == ["One", "two", "three."])
        #expect(abs(transcript.words[1].start - 1.7) < 0.021 && abs(transcript.words[2].end - 3.0) < 0.021)
        #expect(transcript.segments.map(\.text) == ["One", "two three."])
        #expect(transcript.chunks?[0].note?.contains("2 words recovered from 1 stretch") == true)

        var off = options
        off.recoverSkippedSpeech = false
        #expect(try await pipeline.transcribe(speech([1.0...4.0]), options: off).words.map(\.text) == ["One"])
    }

    @Test func onlyWordsInsideTheStretchAreTakenWhenTheWordBeforeItIsHeardDifferently() async throws {
        // The lead is heard as "Juan" (no copy of "One" to cut after): words whose middle lies
        // before the stretch (1.5 s) are the lead's, not new.
        let recognizer = SkippingRecognizer(chunkSeconds: 5, whole: [segment([("One", 1.0, 1.4)])],
                                            part: [segment([("Juan", 1.0, 1.4), ("two.", 1.7, 3.0)])])
        let transcript = try await TranscriptionPipeline(recognizer: recognizer, chunker: FixedWindowChunker())
            .transcribe(speech([1.0...4.0]), options: options)
        #expect(transcript.words.map(\.text) == ["One", "two."])
        #expect(transcript.segments.map(\.text) == ["One", "two."])
    }

    @Test func aWordStretchedOverASkippedSentenceEndsWhereTheRecoveredWordsBegin() async throws {
        // "Mr." 1.0–4.0 over 3 s of speech: the decoder stopped after it and the DTW gave it the rest.
        let recognizer = SkippingRecognizer(chunkSeconds: 5, whole: [segment([("and", 0.6, 1.0), ("Mr.", 1.0, 4.0)])],
                                            part: [segment([("and", 0.5, 0.9), ("Mr.", 0.9, 1.3), ("John", 2.1, 2.6), ("Dashwood", 2.6, 3.6)])])
        let pipeline = TranscriptionPipeline(recognizer: recognizer, chunker: FixedWindowChunker())
        let words = try await pipeline.transcribe(speech([0.6...4.0]), options: options).words
        #expect(words.map(\.text) == ["and", "Mr.", "John", "Dashwood"])
        // "Mr." claims 1 s; the rest (2.1–4.0) is the stretch, decoded from 0.1 s (2 s lead).
        #expect(abs(words[2].start - 2.2) < 0.021 && words[1].end == words[2].start)
        for (a, b) in zip(words, words.dropFirst()) { #expect(a.end <= b.start) }
    }

    @Test func aSegmentIsSplitAroundTheSpeechItSkipped() async throws {
        // One segment "a b": "a" 1.0–1.3, "b" 3.8–4.0, 2.5 s of speech between with no word.
        let recognizer = SkippingRecognizer(chunkSeconds: 5, whole: [segment([("a", 1.0, 1.3), ("b", 3.8, 4.0)])],
                                            part: [segment([("a", 1.0, 1.3), ("middle", 1.7, 3.3)])])
        let pipeline = TranscriptionPipeline(recognizer: recognizer, chunker: FixedWindowChunker())
        let transcript = try await pipeline.transcribe(speech([1.0...4.0]), options: options)
        #expect(transcript.segments.map(\.text) == ["a", "middle", "b"])
        #expect(transcript.words.map(\.text) == ["a", "middle", "b"])
    }

    @Test func aBreathOrAStretchTheDecoderHearsNothingInIsLeftAlone() async throws {
        // 0.3 s of unclaimed speech (under the 0.4 s minimum): not decoded again.
        let breath = SkippingRecognizer(chunkSeconds: 5, whole: [segment([("One", 1.0, 1.4)])],
                                        part: [segment([("ghost", 0.1, 0.3)])])
        let short = try await TranscriptionPipeline(recognizer: breath, chunker: FixedWindowChunker())
            .transcribe(speech([1.0...1.4, 2.5...2.8]), options: options)
        #expect(short.words.map(\.text) == ["One"] && short.chunks?[0].note == nil)
        // Enough speech, but the second decode hears only punctuation: nothing is added.
        let nothing = SkippingRecognizer(chunkSeconds: 5, whole: [segment([("One", 1.0, 1.4)])],
                                         part: [TranscriptSegment(start: 0, end: 1, text: " .")])
        let long = try await TranscriptionPipeline(recognizer: nothing, chunker: FixedWindowChunker())
            .transcribe(speech([1.0...4.0]), options: options)
        #expect(long.words.map(\.text) == ["One"] && long.chunks?[0].note == nil)
        // What the decoder invents on it with next to no probability ("Thank" 0.006) is not taken.
        let invented = SkippingRecognizer(chunkSeconds: 5, whole: [segment([("One", 1.0, 1.4)])],
                                          part: [TranscriptSegment(start: 1.0, end: 3.0, text: "One Thank", words: [
                                              TimedWord(text: "One", start: 1.0, end: 1.4, confidence: 0.99),
                                              TimedWord(text: "Thank", start: 2.0, end: 2.6, confidence: 0.006)])])
        let guessed = try await TranscriptionPipeline(recognizer: invented, chunker: FixedWindowChunker())
            .transcribe(speech([1.0...4.0]), options: options)
        #expect(guessed.words.map(\.text) == ["One"] && guessed.chunks?[0].note == nil)
    }

    @Test func theFirstWordOfASentenceGluedToTheSentenceBeforeMovesToItsOwnOnset() async throws {
        // Speech 0.5–1.51 ("…was."), silence, speech 3.0–4.0 ("He was"). The DTW put "He" at the
        // end of the previous sentence (1.3–1.5, glued to "was.") and started "not" at 1.5. The VAD
        // frame "He" ends in (1.50–1.52) still holds sound: the pause is looked for after it.
        let audio = speech([0.5...1.51, 3.0...4.0])
        let given = [TimedWord(text: "was.", start: 0.5, end: 1.3), TimedWord(text: "He", start: 1.3, end: 1.5),
                     TimedWord(text: "not", start: 1.5, end: 4.0)]
        let recognizer = SkippingRecognizer(chunkSeconds: 5, whole: [TranscriptSegment(start: 0.5, end: 4.0, text: "was. He not", words: given)], part: [])
        var trimming = options
        trimming.trimWordsToSpeech = true
        let words = try await TranscriptionPipeline(recognizer: recognizer, chunker: FixedWindowChunker())
            .transcribe(audio, options: trimming).words
        let onset = 3.0 - PipelineOptions.defaultSpeechPad
        #expect(words[0] == given[0])
        #expect(abs(words[1].start - onset) < 0.021 && words[2].end == 4.0)
        #expect(abs(words[1].end - (onset + (4.0 - onset) * 2 / 5)) < 0.021 && words[1].end == words[2].start)

        // After an abbreviation ("Mr."), or with a pause before it, the word stays where it was heard.
        for (previous, start) in [("Mr.", 1.3), ("was.", 1.45)] {
            var other = given
            other[0].text = previous
            other[1].start = start
            let kept = SkippingRecognizer(chunkSeconds: 5, whole: [TranscriptSegment(start: 0.5, end: 4.0, text: "x", words: other)], part: [])
            let got = try await TranscriptionPipeline(recognizer: kept, chunker: FixedWindowChunker())
                .transcribe(audio, options: trimming).words
            #expect(got[1].start < 2.0, "\(previous) \(start)")
        }
    }
}
