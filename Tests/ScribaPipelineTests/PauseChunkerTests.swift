import Foundation
import Testing
import ScribaAudio
@testable import ScribaPipeline
import ScribaTestSupport

struct PauseChunkerTests {
    /// 16 clips of 3 words (0.30–0.48 s each) separated by pauses of 0.2–0.9 s.
    func sixteenClips() -> EarSignal {
        var rng = SplitMix64(seed: 7)
        let durations = (0..<16).map { _ in (0..<3).map { _ in Double(Int.random(in: 30...48, using: &rng)) / 100 } }
        let pauses = (0..<16).map { _ in Double(Int.random(in: 20...90, using: &rng)) / 100 }
        return EarSignal(wordDurations: durations, pauses: pauses)
    }

    @Test func cutsOnlyInsidePausesWhenEveryWindowHasOne() {
        let signal = sixteenClips()
        let chunks = PauseChunker().chunks(of: signal.audio, maxDuration: 3)
        // ~16 × (1.17 s speech + 0.55 s pause) ≈ 27 s at ≤ 3 s per chunk.
        #expect(chunks.count >= 10)
        #expect(chunks.allSatisfy { $0.overlapSamples == 0 && $0.sampleCount <= 48_000 })
        #expect(chunks.first?.startSample == 0 && chunks.last?.endSample == signal.audio.samples.count)
        for (a, b) in zip(chunks, chunks.dropFirst()) {
            #expect(a.endSample == b.startSample)
            // The cut lies in silence: both samples beside it are 0.
            let cut = a.endSample
            #expect(signal.audio.samples[cut - 1] == 0 && signal.audio.samples[cut] == 0, "cut at \(Double(cut) / 16_000) s is not inside a pause")
        }
    }

    @Test func everyAlignedWordLandsInsideItsClip() async throws {
        let signal = sixteenClips()
        let pipeline = TranscriptionPipeline(recognizer: EarRecognizer(maxChunkDuration: 3), aligner: EarAligner())
        let transcript = try await pipeline.transcribe(signal.audio, options: byEnergy(PipelineOptions(recognition: .init(language: Language.known[1]))))
        #expect((transcript.chunks?.count ?? 0) >= 10)
        let words = transcript.words
        #expect(words.map(\.text) == signal.words.map { "w\($0.code)" })
        for word in words {
            let code = Int(word.text.dropFirst())!
            let clip = signal.clips[code / 100]
            let truth = signal.words.first { $0.code == code }!
            #expect(word.start >= clip.start - 1e-9 && word.end <= clip.end + 1e-9, "\(word.text) outside its clip")
            #expect(abs(word.start - truth.start) < 1e-9 && abs(word.end - truth.end) < 1e-9)
        }
    }

    @Test func hardCutsOverlapAndKeepEachWordOnce() async throws {
        // 40 words of 0.25–0.45 s with no pause at all: every cut is a hard cut.
        var rng = SplitMix64(seed: 11)
        let durations = [(0..<40).map { _ in Double(Int.random(in: 25...45, using: &rng)) / 100 }]
        let signal = EarSignal(wordDurations: durations, pauses: [0])
        let chunker = PauseChunker()
        // 4 s chunks: the overlap is min(1 s, 4 s / 4) = 1 s, over twice the longest word.
        let chunks = chunker.chunks(of: signal.audio, maxDuration: 4)
        #expect(chunks.count >= 5)
        #expect(chunks.dropFirst().allSatisfy { $0.overlapSamples == 16_000 })
        for (a, b) in zip(chunks, chunks.dropFirst()) { #expect(b.startSample == a.endSample - 16_000) }

        let pipeline = TranscriptionPipeline(recognizer: EarRecognizer(maxChunkDuration: 4), aligner: EarAligner(), chunker: chunker)
        let transcript = try await pipeline.transcribe(signal.audio, options: byEnergy(PipelineOptions(recognition: .init(language: Language.known[1]))))
        let words = transcript.words
        // None lost, none doubled, each with its true (whole, not cut) times.
        #expect(words.map(\.text) == signal.words.map { "w\($0.code)" })
        for (word, truth) in zip(words, signal.words) {
            #expect(abs(word.start - truth.start) < 1e-9 && abs(word.end - truth.end) < 1e-9, "\(word.text)")
        }
        // Segment texts are trimmed to their kept words, so the joined text has each word once too.
        #expect(transcript.text == signal.words.map { "w\($0.code)" }.joined(separator: " "))
    }

    @Test func textOnlyOverlapDropsTheRepeatedWords() async throws {
        var rng = SplitMix64(seed: 5)
        let durations = [(0..<30).map { _ in Double(Int.random(in: 25...45, using: &rng)) / 100 }]
        let signal = EarSignal(wordDurations: durations, pauses: [0])
        let pipeline = TranscriptionPipeline(recognizer: EarRecognizer(maxChunkDuration: 3))
        let transcript = try await pipeline.transcribe(signal.audio, options: byEnergy(PipelineOptions(align: false)))
        // Partially heard edge words are whole words to this fake, so the text dedupe sees exact repeats.
        #expect(transcript.text == signal.words.map { "w\($0.code)" }.joined(separator: " "))
    }

    @Test func prefersTheLongestPauseInTheLaterHalf() {
        // 10 s at 1 kHz, max 6 s: pauses at 1.0–1.5 s (early, long), 3.5–3.7 s and 4.5–5.0 s.
        let chunker = PauseChunker()
        let pauses = [1000..<1500, 3500..<3700, 4500..<5000]
        let chunks = chunker.chunks(total: 10_000, sampleRate: 1000, maxSamples: 6000, pauses: pauses)
        // Later half is 3.0–6.0 s: the 0.5 s pause at 4.5 s wins, cut in its middle.
        #expect(chunks.map(\.startSample) == [0, 4750])
        #expect(chunks.map(\.endSample) == [4750, 10_000])
    }

    @Test func usesAnEarlyPauseRatherThanCuttingSpeech() {
        let chunker = PauseChunker()
        // Only pause: 1.5–1.7 s, before the preferred window, and a 0.1 s gap (too short) at 5 s.
        let chunks = chunker.chunks(total: 7000, sampleRate: 1000, maxSamples: 6000, pauses: [1500..<1700, 5000..<5100])
        #expect(chunks.map(\.startSample) == [0, 1600])
        #expect(chunks.allSatisfy { $0.overlapSamples == 0 })
    }

    @Test func voiceActivityFindsPausesInNoisySpeechLikeSignal() {
        // Noise bursts (RMS ≈ −15 dBFS) over background noise at ≈ −50 dBFS; pauses at known places.
        var rng = SplitMix64(seed: 3)
        let rate = 16_000
        let layout: [(speech: Bool, seconds: Double)] = [(true, 1.0), (false, 0.3), (true, 0.8), (false, 0.16), (true, 1.2), (false, 0.5), (true, 0.5)]
        var samples: [Float] = []
        var truePauses: [(Double, Double)] = []
        for part in layout {
            let start = Double(samples.count) / Double(rate)
            for _ in 0..<Int(part.seconds * Double(rate)) {
                let white = Float(Int.random(in: -1000...1000, using: &rng)) / 1000
                samples.append(white * (part.speech ? 0.3 : 0.005))
            }
            if !part.speech { truePauses.append((start, Double(samples.count) / Double(rate))) }
        }
        let pauses = VoiceActivity().pauses(in: AudioBuffer(samples: samples, sampleRate: rate))
            .map { (Double($0.lowerBound) / Double(rate), Double($0.upperBound) / Double(rate)) }
        #expect(pauses.count == 3)
        for (found, truth) in zip(pauses, truePauses) {
            // Frame resolution is 20 ms; a boundary may fall in either neighbouring frame.
            #expect(abs(found.0 - truth.0) <= 0.02 && abs(found.1 - truth.1) <= 0.02, "\(found) vs \(truth)")
        }
    }

    @Test func hysteresisKeepsALevelNearTheThresholdFromFlickering() {
        // Frames alternate 2 dB either side of the on-threshold after a loud start: with 4 dB of
        // hysteresis speech, once started, continues through them.
        let vad = VoiceActivity()
        let rate = 1000 // 20 samples per frame
        var samples = [Float](repeating: 0.0001, count: 400) // −80 dBFS: the noise floor
        samples += [Float](repeating: 0.5, count: 100)      // loud: speech starts
        let loud: Float = 20 * log10f(0.5)
        let threshold = vad.onThreshold(levels: vad.frameLevels(AudioBuffer(samples: samples, sampleRate: rate)))
        #expect(threshold > loud - 41 && threshold < loud - 19)
        for frame in 0..<20 {
            let level = threshold + (frame % 2 == 0 ? 2 : -2)
            samples += [Float](repeating: powf(10, level / 20), count: 20)
        }
        let flags = vad.speechFrames(AudioBuffer(samples: samples, sampleRate: rate))
        #expect(flags[20..<25].allSatisfy { $0 })
        #expect(flags[25...].allSatisfy { $0 }, "speech dropped out at a level 2 dB under the on-threshold")
        #expect(flags[0..<20].allSatisfy { !$0 })
    }
}
