import Foundation
import Testing
import ScribaAudio
@testable import ScribaPipeline
import ScribaTestSupport

/// "Hears" speech as one word per VAD speech run of the chunk it is given (chunk-local times), so
/// on real recordings the merged word times show whether chunk offsets are exact.
private struct RunEar: SpeechRecognizer, ForcedAligner {
    let modelName = "run-ear"
    let maxChunkDuration: Double

    func runs(_ audio: AudioBuffer) -> [TimedWord] {
        let vad = VoiceActivity()
        let frame = Double(vad.frameSamples(sampleRate: audio.sampleRate)) / Double(audio.sampleRate)
        var words: [TimedWord] = []
        var start: Int?
        let flags = vad.speechFrames(audio)
        for (i, speech) in (flags + [false]).enumerated() {
            if speech, start == nil { start = i }
            if !speech, let s = start {
                words.append(TimedWord(text: "run", start: Double(s) * frame, end: min(audio.duration, Double(i) * frame)))
                start = nil
            }
        }
        return words
    }

    func transcribe(_ audio: AudioBuffer, options: RecognitionOptions) async throws -> Recognition {
        let text = runs(audio).map(\.text).joined(separator: " ")
        return Recognition(language: "en", text: text, segments: [])
    }

    func align(_ audio: AudioBuffer, text: String, language: Language) async throws -> [TimedWord] { runs(audio) }
}

struct RealSpeechChunkingTests {
    /// 12 real clips (LibriVox 7.1 s, espeak English 3.2 s, espeak Mandarin 2.5 s, in turn) with
    /// 0.3–0.7 s gaps of faint noise (≈ −57 dBFS) between them; clip intervals in seconds.
    func concatenation() throws -> (audio: AudioBuffer, clips: [(start: Double, end: Double)]) {
        let fixtures = fixturesDirectory()
        let librivox = try AudioFile.load(fixtures.appendingPathComponent("whisper/librivox-0870.wav")).audio.samples
        func raw(_ name: String) throws -> [Float] {
            let data = try Data(contentsOf: fixtures.appendingPathComponent("mel/\(name)"))
            return data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        }
        let sources = [librivox, try raw("speech_en.f32"), try raw("speech_zh.f32")]
        var rng = SplitMix64(seed: 42)
        var samples: [Float] = []
        var clips: [(start: Double, end: Double)] = []
        func gap() {
            let count = Int.random(in: 4800...11_200, using: &rng)
            for _ in 0..<count { samples.append(Float(Int.random(in: -1000...1000, using: &rng)) / 1000 * 0.0025) }
        }
        gap()
        for index in 0..<12 {
            let start = Double(samples.count) / 16_000
            samples += sources[index % 3]
            clips.append((start, Double(samples.count) / 16_000))
            gap()
        }
        return (AudioBuffer(samples: samples, sampleRate: 16_000), clips)
    }

    @Test func realSpeechIsCutOnlyInPausesAndEveryRunLandsInsideItsClip() async throws {
        let (audio, clips) = try concatenation()
        // 12 clips: 4 × (7.10 + 3.20 + 2.50) s of speech + 13 gaps ≈ 58 s; 8 s chunks → ≥ 8 cuts.
        let chunks = PauseChunker().chunks(of: audio, maxDuration: 8)
        #expect(chunks.count >= 10)
        #expect(chunks.allSatisfy { $0.overlapSamples == 0 && $0.sampleCount <= 128_000 }, "a hard cut happened")
        // Each cut is in a gap or in a pause of the recording: the 20 ms around it is ≥ 30 dB under
        // the loudest 20 ms of the clip it falls in.
        for chunk in chunks.dropFirst() {
            let cut = chunk.startSample
            let t = Double(cut) / 16_000
            guard let clip = clips.first(where: { $0.start < t && t < $0.end }) else { continue }
            let level = rms(audio.samples[(cut - 160)..<(cut + 160)])
            let clipRange = Int(clip.start * 16_000)..<Int(clip.end * 16_000)
            let peak = stride(from: clipRange.lowerBound, to: clipRange.upperBound - 320, by: 160)
                .map { rms(audio.samples[$0..<($0 + 320)]) }.max() ?? 1
            #expect(20 * log10(level / peak) < -30, "cut at \(t) s is inside speech")
        }

        let ear = RunEar(maxChunkDuration: 8)
        let transcript = try await TranscriptionPipeline(recognizer: ear, aligner: ear)
            .transcribe(audio, options: PipelineOptions(recognition: .init(language: Language.known[1])))
        let words = transcript.words
        #expect(words.count >= 24)
        // One 20 ms frame of slack: a run's edge is quantised to the chunk's frame grid.
        for word in words {
            #expect(clips.contains { word.start >= $0.start - 0.02 && word.end <= $0.end + 0.02 },
                    "speech run \(word.start)–\(word.end) s lies outside every clip")
        }
        for clip in clips {
            #expect(words.contains { $0.start >= clip.start - 0.02 && $0.end <= clip.end + 0.02 }, "clip at \(clip.start) s not heard")
        }
    }

    private func rms(_ samples: ArraySlice<Float>) -> Double {
        (samples.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(samples.count)).squareRoot()
    }
}
