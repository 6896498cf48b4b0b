import Foundation
import Testing
import ScribaAudio
import ScribaModels
@testable import ScribaPipeline

// The Qwen3 aligner adapter from raw samples (our LogMel) against qwen-asr 0.0.6's
// Qwen3ForcedAligner.align on the tiny aligner fixture (aligner_reference.json).

struct Qwen3AlignerTests {
    typealias F = Qwen3PipelineFixtures

    static func entry(_ name: String) throws -> [String: Any] {
        let root = try JSONSerialization.jsonObject(with: Data(contentsOf: F.url("aligner_reference.json"))) as? [String: Any]
        return ((root?["cases"] as? [String: Any])?[name] as? [String: Any]) ?? [:]
    }

    /// Every case (Korean and Japanese with the reference's nagisa/soynlp units): the same raw bins,
    /// repaired ms and seconds as the reference; the adapter then clamps into the clip.
    @Test(arguments: ["zh", "en", "mixed", "ko", "ja", "long_text", "punct_only"])
    func alignmentFromSamplesMatchesReference(name: String) async throws {
        let e = try Self.entry(name)
        let units = (e["units"] as? [String]) ?? []
        let audio = try F.audio(((e["audio"] as? String) ?? "").replacingOccurrences(of: "audio/", with: "").replacingOccurrences(of: ".f32", with: ""))
        #expect(audio.samples.count == e["n_samples"] as? Int)

        let engine = try Qwen3ForcedAligner(folder: F.url("aligner-tiny-bf16"))
        let mel = LogMel(melBins: 128).compute(Qwen3Recognizer.normalizedSamples(audio, sampleRate: 16_000))
        let alignment = try engine.align(mel: mel, units: units)
        #expect(alignment.rawBins == F.ints(e["raw_bins"]), "\(name)")
        #expect(alignment.fixedMilliseconds == F.ints(e["fixed_ms"]), "\(name)")

        let aligner = try Qwen3Aligner(folder: F.url("aligner-tiny-bf16"))
        #expect(aligner.maxChunkDuration == 180)
        let words = try await aligner.align(audio, units: units)
        let items = e["items"] as? [[String: Any]] ?? []
        let duration = audio.duration
        #expect(words.map(\.text) == units)
        for (word, item) in zip(words, items) {
            let start = (item["start"] as? NSNumber)?.doubleValue ?? -1, end = (item["end"] as? NSNumber)?.doubleValue ?? -1
            #expect(word.start == min(start, duration) && word.end == min(max(start, end), duration))
            #expect(0 <= word.start && word.start <= word.end && word.end <= duration)
        }
    }

    /// Text goes through the unit splitter: punctuation-only separators vanish, as in the reference.
    @Test func textIsSplitIntoReferenceUnits() async throws {
        let e = try Self.entry("punct_only")
        let aligner = try Qwen3Aligner(folder: F.url("aligner-tiny-bf16"))
        let words = try await aligner.align(try F.audio("speech_en"), text: e["text"] as? String ?? "", language: Language.named("English")!)
        // One unit at 26.64–29.36 s in the reference, clamped into the 3.2 s clip.
        #expect(words == [TimedWord(text: "quickbrownfoxjumpsoverthelazydog", start: 51_278.0 / 16_000, end: 51_278.0 / 16_000)])
        #expect(try await aligner.align(try F.audio("speech_en"), text: " ... ", language: Language.named("English")!).isEmpty)
    }

    @Test func recognizerFolderIsRejected() {
        #expect(throws: Qwen3ASRError.self) { try Qwen3Aligner(folder: F.url("asr-tiny-bf16")) }
    }
}
