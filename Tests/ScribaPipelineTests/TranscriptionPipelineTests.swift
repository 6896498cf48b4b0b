import Foundation
import Testing
import ScribaAudio
@testable import ScribaPipeline

/// Recognises a chunk as the index of its first sample (so offsets are checkable) and reports one
/// segment from 0.5 s to the chunk end; silence (all zeros) gives empty text.
private struct EchoRecognizer: SpeechRecognizer {
    let modelName = "echo"
    let maxChunkDuration: Double
    func transcribe(_ audio: AudioBuffer, options: RecognitionOptions) async throws -> Recognition {
        guard let first = audio.samples.first, first != 0 else { return Recognition(language: "", text: "", segments: []) }
        let text = "chunk \(Int(first))"
        return Recognition(language: options.language?.code ?? "en", text: text,
                           segments: [TranscriptSegment(start: 0.5, end: audio.duration, text: text)])
    }
}

/// One word per space-separated token, each 0.25 s long starting at 0.1 s.
private struct EvenAligner: ForcedAligner {
    let modelName = "even"
    let maxChunkDuration: Double = 100
    func align(_ audio: AudioBuffer, text: String, language: Language) async throws -> [TimedWord] {
        text.split(separator: " ").enumerated().map { i, word in
            TimedWord(text: String(word), start: 0.1 + 0.25 * Double(i), end: 0.35 + 0.25 * Double(i))
        }
    }
}

/// "hello there" for any audio.
private struct ToneRecognizer: SpeechRecognizer {
    let modelName = "tone"
    let maxChunkDuration: Double = 30
    func transcribe(_ audio: AudioBuffer, options: RecognitionOptions) async throws -> Recognition {
        Recognition(language: "en", text: "hello there", segments: [])
    }
}

/// Whisper-like: the given text, segments and status for any audio (its own word times, no aligner).
private struct ScriptedRecognizer: SpeechRecognizer {
    let modelName = "scripted"
    let maxChunkDuration: Double = 30
    let segments: [TranscriptSegment]
    var status: ChunkStatus = .ok
    func transcribe(_ audio: AudioBuffer, options: RecognitionOptions) async throws -> Recognition {
        Recognition(language: "en", text: segments.map(\.text).joined(separator: " "), segments: segments, status: status)
    }
}

/// Fails on the chunk that starts at `failingFrom` (its first sample's value), times the others evenly.
private struct FlakyAligner: ForcedAligner {
    let modelName = "flaky"
    let maxChunkDuration: Double = 100
    let failingFrom: Float
    struct Refused: Error, CustomStringConvertible { var description: String { "aligner answered 500" } }
    func align(_ audio: AudioBuffer, text: String, language: Language) async throws -> [TimedWord] {
        if audio.samples.first == failingFrom { throw Refused() }
        return try await EvenAligner().align(audio, text: text, language: language)
    }
}

/// The given words whatever the text.
private struct FixedAligner: ForcedAligner {
    let modelName = "fixed"
    let maxChunkDuration: Double = 100
    let words: [TimedWord]
    func align(_ audio: AudioBuffer, text: String, language: Language) async throws -> [TimedWord] { words }
}

struct TranscriptionPipelineTests {
    /// 25 s at 100 Hz where every sample holds the index of the second it lies in (+1), so a chunk's
    /// first sample names where it starts.
    func ramp(seconds: Int = 25, silentFrom: Int? = nil) -> AudioBuffer {
        let samples = (0..<(seconds * 100)).map { i -> Float in
            if let silentFrom, i >= silentFrom * 100 { return 0 }
            return Float(i + 1)
        }
        return AudioBuffer(samples: samples, sampleRate: 100)
    }

    @Test func chunksAreEqualAndCoverEverySample() {
        let chunks = FixedWindowChunker().chunks(of: ramp(), maxDuration: 10)
        // 2500 samples, ≤ 1000 each → 3 chunks of 834, 834, 832.
        #expect(chunks.map(\.sampleCount) == [834, 834, 832])
        #expect(chunks.first?.startSample == 0 && chunks.last?.endSample == 2500)
        for (a, b) in zip(chunks, chunks.dropFirst()) { #expect(a.endSample == b.startSample) }
    }

    @Test func segmentsAreShiftedByEachChunksTrueStart() async throws {
        let pipeline = TranscriptionPipeline(recognizer: EchoRecognizer(maxChunkDuration: 10), chunker: FixedWindowChunker())
        let transcript = try await pipeline.transcribe(ramp(), options: byEnergy(PipelineOptions(align: false)))
        #expect(transcript.segments.map(\.text) == ["chunk 1", "chunk 835", "chunk 1669"])
        #expect(transcript.segments.map(\.start) == [0.5, 8.84, 17.18])
        #expect(transcript.segments.last?.end == 25)
        #expect(transcript.duration == 25)
        #expect(transcript.language == "en")
        #expect(transcript.chunks?.map(\.status) == [.ok, .ok, .ok])
    }

    @Test func silentChunksAreMarkedEmptyAndProduceNoSegment() async throws {
        let pipeline = TranscriptionPipeline(recognizer: EchoRecognizer(maxChunkDuration: 10), chunker: FixedWindowChunker())
        let transcript = try await pipeline.transcribe(ramp(silentFrom: 8), options: byEnergy(PipelineOptions(align: false)))
        #expect(transcript.chunks?.map(\.status) == [.ok, .empty, .empty])
        #expect(transcript.chunks?.map(\.start) == [0, 8.34, 16.68])
        #expect(transcript.segments.count == 1)
    }

    @Test func alignerWordsReplaceEngineSegmentsAndAreOffset() async throws {
        let pipeline = TranscriptionPipeline(recognizer: EchoRecognizer(maxChunkDuration: 10), aligner: EvenAligner(), chunker: FixedWindowChunker())
        // The ramp is "speech" throughout and the even words cover little of it: no recovery decodes.
        let transcript = try await pipeline.transcribe(ramp(), options: byEnergy(PipelineOptions(recognition: .init(language: Language.known[1]), trimWordsToSpeech: false, recoverSkippedSpeech: false)))
        let words = transcript.words
        #expect(words.map(\.text) == ["chunk", "1", "chunk", "835", "chunk", "1669"])
        #expect(words.map(\.start) == [0.1, 0.35, 8.44, 8.69, 16.78, 17.03].map { $0 })
        #expect(transcript.segments[1].start == 8.44)
    }

    @Test func anAlignerFailureKeepsTheTextOnTheRecognizersTimesAsUnaligned() async throws {
        // Chunk 2 (starting at sample 834, value 835) fails to align; chunks 1 and 3 align.
        let pipeline = TranscriptionPipeline(recognizer: EchoRecognizer(maxChunkDuration: 10), aligner: FlakyAligner(failingFrom: 835),
                                             chunker: FixedWindowChunker())
        let options = byEnergy(PipelineOptions(recognition: .init(language: Language.known[1]), trimWordsToSpeech: false, recoverSkippedSpeech: false))
        let transcript = try await pipeline.transcribe(ramp(), options: options)
        #expect(transcript.text == "chunk 1 chunk 835 chunk 1669")
        #expect(transcript.chunks?.map(\.status) == [.ok, .unaligned, .ok])
        #expect(transcript.chunks?[1].note?.contains("aligner failed (aligner answered 500)") == true)
        #expect(!transcript.isComplete && transcript.partialChunks.map(\.start) == [8.34])
        // The failed chunk keeps the recogniser's segment (0.5 s into the chunk to its end), no words.
        let unaligned = transcript.segments[1]
        #expect(unaligned.text == "chunk 835" && unaligned.words.isEmpty)
        #expect(unaligned.start == 8.84 && unaligned.end == 16.68)
        #expect(transcript.words.count == 4)

        // Every chunk failing to align still gives the whole text (not a failed file).
        let none = TranscriptionPipeline(recognizer: EchoRecognizer(maxChunkDuration: 30), aligner: FlakyAligner(failingFrom: 1),
                                         chunker: FixedWindowChunker())
        let alone = try await none.transcribe(ramp(), options: options)
        #expect(alone.text == "chunk 1" && alone.chunks?.map(\.status) == [.unaligned])
    }

    /// 16 kHz: `pauseBefore` s of silence, then `speech` s of a 300 Hz tone, then silence to `total`.
    func toneAfterSilence(pauseBefore: Double, speech: Double, total: Double) -> AudioBuffer {
        let rate = 16000
        let samples = (0..<Int(total * Double(rate))).map { i -> Float in
            let t = Double(i) / Double(rate)
            return t >= pauseBefore && t < pauseBefore + speech ? Float(0.3 * sin(2 * Double.pi * 300 * t)) : 0
        }
        return AudioBuffer(samples: samples, sampleRate: rate)
    }

    @Test func wordStartedInsideTheSilenceIsMovedToTheSpeechOnset() async throws {
        // Speech 2.0–3.0 s. The engine says "hello" 0.6–2.4 (started in the silence, as Whisper's DTW
        // does after a pause) and "there" 2.4–3.7 (ends in the silence).
        let audio = toneAfterSilence(pauseBefore: 2.0, speech: 1.0, total: 5.0)
        let aligner = FixedAligner(words: [TimedWord(text: "hello", start: 0.6, end: 2.4), TimedWord(text: "there", start: 2.4, end: 3.7)])
        let pipeline = TranscriptionPipeline(recognizer: ToneRecognizer(), aligner: aligner, chunker: FixedWindowChunker())
        let options = byEnergy(PipelineOptions(recognition: .init(language: Language.known[1])))
        let words = try await pipeline.transcribe(audio, options: options).words
        #expect(words.map(\.text) == ["hello", "there"])
        #expect(abs(words[0].start - (2.0 - PipelineOptions.defaultSpeechPad)) < 0.021)
        #expect(words[0].end == 2.4 && words[1].start == 2.4)
        #expect(abs(words[1].end - (3.0 + PipelineOptions.defaultSpeechPad)) < 0.021)

        var off = options
        off.trimWordsToSpeech = false
        let untouched = try await pipeline.transcribe(audio, options: off).words
        #expect(untouched.map(\.start) == [0.6, 2.4] && untouched.map(\.end) == [2.4, 3.7])

        // Known text through `align` is trimmed the same way.
        let aligned = try await pipeline.align(audio, text: "hello there", language: Language.known[1], options: options)
        #expect(abs(aligned.words[0].start - 1.92) < 0.021 && aligned.segments[0].start == aligned.words[0].start)
    }

    @Test func wordStretchedBackIntoThePreviousSentenceKeepsOnlyItsOwnSpeech() async throws {
        // Speech 0.5–1.5 ("them."), a 1.5 s pause, speech 3.0–3.6 ("He"); the engine starts "He" at
        // 1.3, on the last syllable before the pause.
        let rate = 16000
        let samples = (0..<(5 * rate)).map { i -> Float in
            let t = Double(i) / Double(rate)
            return (t >= 0.5 && t < 1.5) || (t >= 3.0 && t < 3.6) ? Float(0.3 * sin(2 * Double.pi * 220 * t)) : 0
        }
        let words = [TimedWord(text: "them", start: 0.5, end: 1.3), TimedWord(text: "He", start: 1.3, end: 3.6)]
        let pipeline = TranscriptionPipeline(recognizer: ToneRecognizer(), aligner: FixedAligner(words: words), chunker: FixedWindowChunker())
        let got = try await pipeline.transcribe(AudioBuffer(samples: samples, sampleRate: rate),
                                                options: byEnergy(PipelineOptions(recognition: .init(language: Language.known[1])))).words
        #expect(got[0] == words[0])
        #expect(abs(got[1].start - 2.92) < 0.021 && got[1].end == 3.6)
    }

    @Test func aWordLeftInThePauseSharesTheSpeechOfTheWordThatMovedToTheOnset() async throws {
        // Speech 2.0–3.0 ("He was"). The DTW left "He" in the pause (0.5–1.0, no speech under it)
        // and started "was" at 1.0; "was" moves to the onset, and "He" goes with it: the onset span
        // is split 2 : 3 by letters.
        let audio = toneAfterSilence(pauseBefore: 2.0, speech: 1.0, total: 5.0)
        let given = [TimedWord(text: "He", start: 0.5, end: 1.0), TimedWord(text: "was.", start: 1.0, end: 2.6)]
        let pipeline = TranscriptionPipeline(recognizer: ToneRecognizer(), aligner: FixedAligner(words: given), chunker: FixedWindowChunker())
        let transcript = try await pipeline.transcribe(audio, options: byEnergy(PipelineOptions(recognition: .init(language: Language.known[1]))))
        let words = transcript.words
        let onset = 2.0 - PipelineOptions.defaultSpeechPad
        #expect(abs(words[0].start - onset) < 0.021 && words[1].end == 2.6)
        #expect(abs(words[0].end - (onset + (2.6 - onset) * 2 / 5)) < 0.021 && words[0].end == words[1].start)
        #expect(transcript.segments[0].start == words[0].start)
        // Without the trimming both stay where the DTW put them.
        var off = byEnergy(PipelineOptions(recognition: .init(language: Language.known[1])))
        off.trimWordsToSpeech = false
        #expect(try await pipeline.transcribe(audio, options: off).words == given)
    }

    @Test func wordsInsideSpeechOrWithoutAnySpeechAreLeftAlone() async throws {
        let audio = toneAfterSilence(pauseBefore: 1.0, speech: 2.0, total: 4.0)
        // Inside speech; entirely in the silence (the VAD may miss quiet speech: not the trimmer's call).
        let given = [TimedWord(text: "inside", start: 1.5, end: 2.5), TimedWord(text: "ghost", start: 3.2, end: 3.8)]
        let pipeline = TranscriptionPipeline(recognizer: ToneRecognizer(), aligner: FixedAligner(words: given), chunker: FixedWindowChunker())
        // (The fixed aligner gives these words for any audio, so no recovery decode here.)
        let words = try await pipeline.transcribe(audio, options: byEnergy(PipelineOptions(recognition: .init(language: Language.known[1]), recoverSkippedSpeech: false))).words
        #expect(words == given)
    }

    @Test func wordsDecodedPastTheSpeechAreDroppedAndTheirBudgetIsNoGap() async throws {
        // Speech 1.0–3.0 s of 4.0. The engine heard "It was so." then went on past the speech: "It
        // was" repeated in the silence, and "so." piled on the chunk's last frame (DTW's answer for
        // a word it cannot place); its token budget ran out there.
        let audio = toneAfterSilence(pauseBefore: 1.0, speech: 2.0, total: 4.0)
        let heard = TranscriptSegment(start: 1.0, end: 3.0, text: "It was so.", words: [
            TimedWord(text: "It", start: 1.0, end: 1.5), TimedWord(text: "was", start: 1.5, end: 2.2),
            TimedWord(text: "so.", start: 2.2, end: 3.0)])
        let tail = TranscriptSegment(start: 3.2, end: 3.97, text: "It was so.", words: [
            TimedWord(text: "It", start: 3.2, end: 3.5), TimedWord(text: "was", start: 3.5, end: 3.97),
            TimedWord(text: "so.", start: 3.97, end: 3.97)])
        let recognizer = ScriptedRecognizer(segments: [heard, tail], status: .truncated)
        let pipeline = TranscriptionPipeline(recognizer: recognizer, chunker: FixedWindowChunker())
        let options = byEnergy(PipelineOptions(recognition: .init(language: Language.known[1]), trimWordsToSpeech: false))
        let transcript = try await pipeline.transcribe(audio, options: options)
        #expect(transcript.segments == [heard])
        #expect(transcript.chunks?.map(\.status) == [.ok])
        #expect(transcript.chunks?[0].note?.contains("3 words decoded past the end of the speech dropped") == true)

        // A tail cut inside one segment keeps the segment's text up to its last heard word.
        let merged = TranscriptSegment(start: 1.0, end: 3.97, text: "It was so. It was so.", words: heard.words + tail.words)
        let cut = try await TranscriptionPipeline(recognizer: ScriptedRecognizer(segments: [merged]), chunker: FixedWindowChunker())
            .transcribe(audio, options: options)
        #expect(cut.segments.map(\.text) == ["It was so."] && cut.words == heard.words)

        var off = options
        off.dropSilentTail = false
        let kept = try await pipeline.transcribe(audio, options: off)
        #expect(kept.words.count == 6 && kept.chunks?.map(\.status) == [.truncated])
    }

    @Test func aRepeatPiledMidChunkIsDroppedWithANoteAndKeptWhenTheGuardIsOff() async throws {
        // Speech 1.0–3.0 s of 4.0. The engine heard "It was so." and decoded it again, piled at
        // 2.5 s, before words that are heard: not a silent tail, still a copy.
        let audio = toneAfterSilence(pauseBefore: 1.0, speech: 2.0, total: 4.0)
        let heard = TranscriptSegment(start: 1.0, end: 2.2, text: "It was so.", words: [
            TimedWord(text: "It", start: 1.0, end: 1.4), TimedWord(text: "was", start: 1.4, end: 1.8),
            TimedWord(text: "so.", start: 1.8, end: 2.2)])
        let copy = TranscriptSegment(start: 2.5, end: 2.54, text: "It was so.", words: [
            TimedWord(text: "It", start: 2.5, end: 2.5), TimedWord(text: "was", start: 2.52, end: 2.52),
            TimedWord(text: "so.", start: 2.54, end: 2.54)])
        let after = TranscriptSegment(start: 2.6, end: 2.9, text: "Yes.", words: [TimedWord(text: "Yes.", start: 2.6, end: 2.9)])
        let pipeline = TranscriptionPipeline(recognizer: ScriptedRecognizer(segments: [heard, copy, after]), chunker: FixedWindowChunker())
        var options = byEnergy(PipelineOptions(recognition: .init(language: Language.known[1]), trimWordsToSpeech: false,
                                      recoverSkippedSpeech: false))
        let transcript = try await pipeline.transcribe(audio, options: options)
        #expect(transcript.segments == [heard, after])
        #expect(transcript.chunks?[0].note?.contains("3 repeated words piled on one spot dropped") == true)
        options.dropPiledRepeats = false
        #expect(try await pipeline.transcribe(audio, options: options).words.count == 7)
    }

    @Test func aSilentWordKeepsItsPlaceWhenItStopsShortOfTheChunkEndOrSpeechRunsToTheEnd() async throws {
        // Silent, but 0.5 s before the chunk's end: not the decoder running past the audio.
        let short = toneAfterSilence(pauseBefore: 1.0, speech: 2.0, total: 4.0)
        let early = [TimedWord(text: "one", start: 1.2, end: 2.0), TimedWord(text: "two", start: 3.2, end: 3.5)]
        let options = byEnergy(PipelineOptions(recognition: .init(language: Language.known[1]), trimWordsToSpeech: false))
        let a = try await TranscriptionPipeline(recognizer: ToneRecognizer(), aligner: FixedAligner(words: early), chunker: FixedWindowChunker())
            .transcribe(short, options: options)
        #expect(a.words == early)
        // A word on the chunk's last frame while speech runs to the end (a hard cut): heard, kept.
        let toEnd = toneAfterSilence(pauseBefore: 1.0, speech: 3.0, total: 4.0)
        let cut = [TimedWord(text: "one", start: 1.2, end: 2.0), TimedWord(text: "two", start: 3.98, end: 3.98)]
        let b = try await TranscriptionPipeline(recognizer: ToneRecognizer(), aligner: FixedAligner(words: cut), chunker: FixedWindowChunker())
            .transcribe(toEnd, options: options)
        #expect(b.words == cut && b.chunks?.map(\.status) == [.ok])
    }

    @Test func aligningWithoutAnAlignerIsAClearError() async {
        let pipeline = TranscriptionPipeline(recognizer: EchoRecognizer(maxChunkDuration: 10), chunker: FixedWindowChunker())
        await #expect(throws: PipelineError.noAligner) {
            try await pipeline.align(ramp(), text: "hello", language: Language.known[1])
        }
    }
}
