import Foundation
import Testing
import ScribaAudio
@testable import ScribaPipeline
import ScribaTestSupport

/// Hears "something" in any audio it is given: what Whisper does with music (it invents text).
private struct HearsAnything: SpeechRecognizer {
    let modelName = "hears-anything"
    let maxChunkDuration = 30.0
    func transcribe(_ audio: AudioBuffer, options: RecognitionOptions) async throws -> Recognition {
        let segment = TranscriptSegment(start: 0, end: audio.duration, text: "la la la")
        return Recognition(language: "en", text: segment.text, segments: [segment])
    }
}

/// Gives every text these words, whatever the audio.
private struct GivenWords: ForcedAligner {
    let modelName = "given"
    let maxChunkDuration = 30.0
    let words: [TimedWord]
    func align(_ audio: AudioBuffer, text: String, language: Language) async throws -> [TimedWord] { words }
}

// The pipeline with Silero VAD gating its energy detector (the default) against the energy detector
// alone (`--vad energy`), on loud non-speech: music and noise beds, and speech mixed over them.
struct SileroPipelineTests {
    static func audio(_ relative: String) throws -> AudioBuffer {
        try AudioFile.load(TestLocations.fixtures.appendingPathComponent(relative)).audio
    }

    /// Two minutes of music and noise beds, no speech (Tests/Fixtures/silero/noise_music_120s.flac):
    /// with Silero no chunk reaches the model, so no text; the energy detector sends them all.
    @Test(arguments: [VoiceDetectorKind.silero, .energy])
    func musicWithoutSpeechGivesNoText(detector: VoiceDetectorKind) async throws {
        let music = try Self.audio("silero/noise_music_120s.flac")
        var options = PipelineOptions(align: false)
        options.voiceDetector = detector
        let transcript = try await TranscriptionPipeline(recognizer: HearsAnything()).transcribe(music, options: options)
        let chunks = transcript.chunks ?? []
        #expect(!chunks.isEmpty)
        let sent = chunks.filter { $0.status != .empty }.count
        print("music 120 s, \(detector): \(chunks.count) chunks, \(sent) sent to the model, text \"\(transcript.text.prefix(40))\"")
        if detector == .silero {
            #expect(transcript.text.isEmpty)
            #expect(sent == 0)
        } else {
            #expect(sent > 0, "the energy detector hears the music as speech")
        }
    }

    /// `align` (known text) trims word times with the chosen detector too. Music plays 2 s before the
    /// speech starts and on under it: a first word the aligner stretched back over the music starts at
    /// the speech with Silero; the energy detector hears one stretch of "speech" and leaves it there.
    @Test func alignTrimsAWordStretchedOverMusicWithSilero() async throws {
        let clip = try Self.audio("whisper/librivox-0870.wav").samples
        let music = try Self.audio("silero/noise_music_120s.flac").samples.prefix(32_000 + clip.count)
        let samples = music.enumerated().map { i, m in m + (i >= 32_000 ? clip[i - 32_000] : 0) }
        let audio = AudioBuffer(samples: samples, sampleRate: 16_000)
        let given = [TimedWord(text: "And", start: 0.5, end: 2.6), TimedWord(text: "Mister", start: 2.6, end: 3.0)]
        let pipeline = TranscriptionPipeline(aligner: GivenWords(words: given))
        var options = PipelineOptions()
        let silero = try await pipeline.align(audio, text: "And Mister", language: Language.known[1], options: options)
        options.voiceDetector = .energy
        let energy = try await pipeline.align(audio, text: "And Mister", language: Language.known[1], options: options)
        print("align over music: first word starts at \(silero.words[0].start) (silero), \(energy.words[0].start) (energy)")
        #expect(silero.words[0].start >= 1.9 && silero.words[0].start < 2.6)
        #expect(energy.words[0].start < 1.0)
    }

    /// Ten LibriVox sentences (the five clips twice, 0.8 s gaps) over the music/noise beds at 0 dB
    /// SNR, 58 s: with Silero every cut of the 30 s chunker falls in a gap between sentences, none
    /// through a word (the energy detector's cuts are printed beside it for comparison).
    @Test func speechOverMusicIsCutInItsPauses() throws {
        var speech: [Float] = [], clips: [Range<Int>] = []
        let gap = [Float](repeating: 0, count: 12_800)
        for _ in 0..<2 {
            for name in ["0870", "0880", "0890", "0920", "0930"] {
                speech += gap
                let clip = try Self.audio("whisper/librivox-\(name).wav").samples
                clips.append(speech.count..<(speech.count + clip.count))
                speech += clip
            }
        }
        speech += gap
        let bed = try Self.audio("silero/noise_music_120s.flac").samples
        func rms(_ x: ArraySlice<Float>) -> Float { (x.reduce(0) { $0 + $1 * $1 } / Float(max(1, x.count))).squareRoot() }
        let speechLevel = clips.map { rms(speech[$0]) }.reduce(0, +) / Float(clips.count)
        let scale = speechLevel / rms(bed[0..<speech.count])  // 0 dB SNR: the bed as loud as the speech
        let mixed = AudioBuffer(samples: speech.indices.map { speech[$0] + scale * bed[$0] }, sampleRate: 16_000)

        func cuts(_ detector: VoiceDetectorKind) throws -> (all: Int, throughSpeech: Int) {
            var options = PipelineOptions()
            options.voiceDetector = detector
            let pipeline = TranscriptionPipeline(recognizer: HearsAnything())
            var chunker = PauseChunker()
            chunker.voiceActivity = try pipeline.voiceActivity(for: mixed, options: options)
            let chunks = chunker.chunks(of: mixed, maxDuration: 30)
            let boundaries = chunks.dropFirst().map(\.startSample)
            // A cut through speech: inside a sentence, more than 0.1 s from its ends.
            let inside = boundaries.filter { b in clips.contains { $0.lowerBound + 1_600 < b && b < $0.upperBound - 1_600 } }
            return (boundaries.count, inside.count)
        }
        let silero = try cuts(.silero), energy = try cuts(.energy)
        print("speech over music (0 dB, \(mixed.duration) s): silero \(silero.all) cuts, \(silero.throughSpeech) through speech; energy \(energy.all) cuts, \(energy.throughSpeech) through speech")
        #expect(silero.all >= 2)
        #expect(silero.throughSpeech == 0)
    }
}
