import Foundation
import Testing
import ScribaAudio
import ScribaModels
import ScribaTensor
@testable import ScribaPipeline
import ScribaTestSupport

// The Qwen3 adapter end to end from raw samples (our LogMel, not the reference features), against
// what qwen-asr 0.0.6 produced on the same clips (Tests/Fixtures/README.md).

enum Qwen3PipelineFixtures {
    static let directory = TestLocations.fixtures.appendingPathComponent("qwen3")

    static func url(_ relative: String) -> URL { directory.appendingPathComponent(relative) }

    static func floats(_ relative: String) throws -> [Float] { try PCMSamples.float32(contentsOf: url(relative)) }

    static func audio(_ clip: String) throws -> AudioBuffer {
        AudioBuffer(samples: try floats("audio/\(clip).f32"), sampleRate: 16_000)
    }

    static func reference(_ clip: String, _ variant: String, _ mode: String) throws -> [String: Any] {
        let root = try JSONSerialization.jsonObject(with: Data(contentsOf: url("asr_reference.json"))) as? [String: Any]
        let clips = root?["clips"] as? [String: Any]
        let entry = ((clips?[clip] as? [String: Any])?[variant] as? [String: Any])?[mode] as? [String: Any]
        return entry ?? [:]
    }

    static func windowedReference(_ variant: String, _ mode: String) throws -> [String: Any] {
        let root = try JSONSerialization.jsonObject(with: Data(contentsOf: url("../qwen3-windowed/windowed_reference.json"))) as? [String: Any]
        let variants = root?["variants"] as? [String: Any]
        return ((variants?[variant] as? [String: Any])?[mode] as? [String: Any]) ?? [:]
    }

    static func ints(_ value: Any?) -> [Int] { (value as? [Any])?.compactMap { ($0 as? NSNumber)?.intValue } ?? [] }

    static func relativeError(_ a: [Float], _ b: [Float]) -> Float {
        guard a.count == b.count, !b.isEmpty else { return .infinity }
        var maxDelta: Float = 0, maxRef: Float = 0
        for i in 0..<a.count {
            maxDelta = max(maxDelta, abs(a[i] - b[i]))
            maxRef = max(maxRef, abs(b[i]))
        }
        return maxDelta / maxRef
    }
}

struct Qwen3RecognizerTests {
    typealias F = Qwen3PipelineFixtures

    /// 40 s → 4,000 frames → 40 chunks × 13 = 520 tokens in five 104-token windows: the only clip
    /// where the attention span matters. `.wholeClip` must match the committed reference (the
    /// transformers CPU path passes no window mask); `.windowed` must match the same official code
    /// with its own window mask passed (Tests/Fixtures/qwen3-windowed). Features come from LogMel
    /// (the reference stored only the first 200 frames), so the tolerances also cover the front end.
    @Test(arguments: ["f32", "bf16"], [Qwen3EncoderAttention.wholeClip, .windowed])
    func longClipMatchesReference(variant: String, attention: Qwen3EncoderAttention) throws {
        let mel = LogMel(melBins: 128).compute(try F.audio("long_40s").samples)
        #expect(mel.shape == [128, 4000])
        let first200 = try F.floats("ref/long_40s.features_first200.f32")
        var delta: Float = 0
        for m in 0..<128 {
            for t in 0..<200 { delta = max(delta, abs(mel.data[m * 4000 + t] - first200[m * 200 + t])) }
        }
        #expect(delta < 1e-3, "front end max|Δ| \(delta)")

        let model = try Qwen3ASR(folder: F.url("asr-tiny-\(variant)"), encoderAttention: attention)
        let audio = try model.encodeAudio(mel: mel)
        #expect(audio.shape == [520, 64])
        let windowed = attention == .windowed
        let folder = windowed ? "../qwen3-windowed/" : "ref/"
        let error = F.relativeError(audio.data, try F.floats(folder + "long_40s.\(variant).encoder.f32"))
        #expect(error <= 1e-3, "encoder max relative error \(error)")

        for mode in ["forced", "auto"] {
            let entry = windowed ? try F.windowedReference(variant, mode) : try F.reference("long_40s", variant, mode)
            let prompt = F.ints(entry["prompt_ids"])
            let logits = try model.firstLogits(promptIDs: prompt, audio: audio)
            let logitError = F.relativeError(logits, try F.floats(folder + (entry["first_logits_file"] as? String ?? "").replacingOccurrences(of: "ref/", with: "")))
            #expect(logitError <= 1e-3, "\(mode) logits max|Δ| / max|logit| \(logitError)")
            let (ids, _) = try model.greedyDecode(promptIDs: prompt, audio: audio, maxNewTokens: 32, stopTokens: [])
            #expect(ids == F.ints(entry["greedy_ids"]), "\(variant) \(mode)")
        }
    }

    /// From samples to `Recognition`: forced English keeps the whole (repetition-fixed) output and
    /// reports "en"; auto finds no `<asr_text>` tag, so no language.
    @Test func recognizerReproducesReferenceParse() async throws {
        let recognizer = try Qwen3Recognizer(folder: F.url("asr-tiny-f32"), maxNewTokens: 32)
        #expect(recognizer.modelName == "asr-tiny-f32" && recognizer.maxChunkDuration == 1200)
        #expect(recognizer.supportedLanguages.count == 30)
        let audio = try F.audio("speech_en")
        // Reference parity: the tiny random checkpoint loops, so the repetition guard is off here.
        let forced = try await recognizer.transcribe(audio, options: RecognitionOptions(language: Language.named("English"), repetitionGuard: .disabled))
        let forcedParse = try F.reference("speech_en", "f32", "forced")["parsed"] as? [String: Any]
        let forcedText = forcedParse?["text"] as? String
        #expect(forced.language == "en" && forced.text == forcedText)
        #expect(forced.segments == [TranscriptSegment(start: 0, end: 51_278.0 / 16_000, text: forced.text)])
        let auto = try await recognizer.transcribe(audio, options: RecognitionOptions(repetitionGuard: .disabled))
        let autoParse = try F.reference("speech_en", "f32", "auto")["parsed"] as? [String: Any]
        let autoText = autoParse?["text"] as? String
        #expect(auto.language == "" && auto.text == autoText && auto.languageProbability == nil)
    }

    /// A 48 kHz copy is resampled to 16 kHz first; a peak above 1 is scaled down, not clipped.
    @Test func inputIsResampledAndPeakNormalised() {
        let loud = AudioBuffer(samples: [0.5, -4, 2, 1], sampleRate: 16_000)
        #expect(Qwen3Recognizer.normalizedSamples(loud, sampleRate: 16_000) == [0.125, -1, 0.5, 0.25])
        let quiet = AudioBuffer(samples: [0.5, -0.25], sampleRate: 16_000)
        #expect(Qwen3Recognizer.normalizedSamples(quiet, sampleRate: 16_000) == [0.5, -0.25])
        let high = AudioBuffer(samples: [Float](repeating: 0.1, count: 4_800), sampleRate: 48_000)
        #expect(Qwen3Recognizer.normalizedSamples(high, sampleRate: 16_000).count == 1_600)
    }

    @Test func unsupportedLanguageAndBadAudioAreTypedErrors() async throws {
        let recognizer = try Qwen3Recognizer(folder: F.url("asr-tiny-f32"), maxNewTokens: 4)
        let audio = try F.audio("short_0p5")
        await #expect(throws: Qwen3ASRError.self) {
            try await recognizer.transcribe(audio, options: RecognitionOptions(language: Language(code: "tlh", name: "Klingon")))
        }
        await #expect(throws: AudioError.invalidSampleRate(0)) {
            try await recognizer.transcribe(AudioBuffer(samples: [0, 0], sampleRate: 0), options: RecognitionOptions())
        }
        await #expect(throws: AudioError.self) {
            try await recognizer.transcribe(AudioBuffer(samples: [0, .nan], sampleRate: 16_000), options: RecognitionOptions())
        }
        // Under one 10 ms hop there are no frames: no speech, no error.
        let tiny = try await recognizer.transcribe(AudioBuffer(samples: [Float](repeating: 0.1, count: 100), sampleRate: 16_000),
                                                   options: RecognitionOptions())
        #expect(tiny == Recognition(language: "", text: "", segments: []))
    }
}
