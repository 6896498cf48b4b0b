import Foundation
import Testing
import ScribaTensor
@testable import ScribaModels

// Qwen3-ForcedAligner against qwen-asr 0.0.6 on the tiny aligner fixture
// (Tests/Fixtures/README.md, aligner_reference.json). Cases whose audio has reference
// features (en, punct_only on speech_en; long_text on short_0p5) run the model here; the others
// need LogMel and run in ScribaPipelineTests.

struct Qwen3ForcedAlignerTests {
    nonisolated(unsafe) static let reference: [String: Any] = (try? Qwen3Fixtures.json("aligner_reference.json")) ?? [:]
    static let allCases = ["zh", "en", "mixed", "ko", "ja", "long_text", "punct_only"]

    static func entry(_ name: String) -> [String: Any] {
        ((reference["cases"] as? [String: Any])?[name] as? [String: Any]) ?? [:]
    }

    static func strings(_ value: Any?) -> [String] { (value as? [Any])?.compactMap { $0 as? String } ?? [] }
    static func doubles(_ value: Any?) -> [Double] { (value as? [Any])?.compactMap { ($0 as? NSNumber)?.doubleValue } ?? [] }

    /// The splitters reproduce the reference units (Japanese aside: MeCab, see AlignerUnitsTests).
    @Test(arguments: ["zh", "en", "mixed", "ko", "long_text", "punct_only"])
    func unitsMatchReference(name: String) throws {
        let e = Self.entry(name)
        let units = try Qwen3ForcedAligner.units(of: e["text"] as? String ?? "", language: e["language"] as? String ?? "")
        #expect(units == Self.strings(e["units"]))
        #expect(!units.isEmpty)
    }

    @Test func splitterDetails() throws {
        // Punctuation inside a word disappears; apostrophes and digits stay; CJK splits per ideograph.
        #expect(try Qwen3ForcedAligner.units(of: "twenty-one don't 3.5 用iPhone拍", language: "English")
                == ["twentyone", "don't", "35", "用", "iPhone", "拍"])
        #expect(try Qwen3ForcedAligner.units(of: " ,.! ", language: "English").isEmpty)
        // Korean goes through the L-tokenizer, Japanese through the segmenter given.
        #expect(try Qwen3ForcedAligner.units(of: "안녕하세요 오늘", language: "Korean") == ["안녕", "하세요", "오늘"])
        #expect(try Qwen3ForcedAligner.units(of: "今日は、", language: "Japanese", japanese: FixedSegmenter(["今日", "は", "、"]))
                == ["今日", "は"])
    }

    @Test(arguments: allCases)
    func inputIDsMatchReference(name: String) throws {
        let aligner = try Qwen3ForcedAligner(folder: Qwen3Fixtures.url("aligner-tiny-bf16"))
        let e = Self.entry(name)
        let tokens = aligner.model.config.audioTokenCount(frames: e["n_frames"] as? Int ?? -1)
        #expect(aligner.inputIDs(units: Self.strings(e["units"]), audioTokens: tokens) == Qwen3Fixtures.ints(e["input_ids"]))
    }

    /// The repair on every case's raw ms gives the reference's integers (all but punct_only repair
    /// something: copies for zh/ko, interpolation for en/ja/mixed/long_text).
    @Test(arguments: allCases)
    func repairMatchesReference(name: String) {
        let e = Self.entry(name)
        let raw = Self.doubles(e["raw_ms"])
        #expect(raw == Qwen3Fixtures.ints(e["raw_bins"]).map { Double($0) * 80 })
        let fixed = Qwen3ForcedAligner.repair(raw)
        #expect(fixed == Qwen3Fixtures.ints(e["fixed_ms"]))
        #expect((fixed != raw.map { Int($0) }) == (name != "punct_only"))
    }

    @Test func repairOnHandMadeSequences() {
        // Monotone (with ties) and all-equal sequences are left alone.
        #expect(Qwen3ForcedAligner.repair([0, 80, 80, 160]) == [0, 80, 80, 160])
        #expect(Qwen3ForcedAligner.repair([80, 80, 80, 80]) == [80, 80, 80, 80])
        // One spike: a 1-run between 80 and 240 is equidistant, so it takes the left value.
        #expect(Qwen3ForcedAligner.repair([0, 80, 9000, 240, 320]) == [0, 80, 80, 240, 320])
        // Two outliers: the first is nearer the left neighbour, the second nearer the right.
        #expect(Qwen3ForcedAligner.repair([0, 80, 9000, 9000, 400, 480, 560]) == [0, 80, 80, 400, 400, 480, 560])
        // Five anomalies at the start have only a right neighbour: copied.
        #expect(Qwen3ForcedAligner.repair([9000, 9100, 9200, 9300, 9400, 100, 200, 300, 400, 500, 600])
                == [100, 100, 100, 100, 100, 100, 200, 300, 400, 500, 600])
        // Five at the end have only a left neighbour: copied.
        #expect(Qwen3ForcedAligner.repair([100, 200, 300, 400, 500, 600, 50, 40, 30, 20, 10])
                == [100, 200, 300, 400, 500, 600, 600, 600, 600, 600, 600])
        // Three inside: interpolated 100 → 400 in steps of 300/4 = 75.
        #expect(Qwen3ForcedAligner.repair([0, 100, 90, 80, 70, 400]) == [0, 100, 175, 250, 325, 400])
        // Interpolated values are truncated: 100.25, 100.5, 100.75 → 100.
        #expect(Qwen3ForcedAligner.repair([0, 100, 90, 80, 70, 101]) == [0, 100, 100, 100, 100, 101])
        #expect(Qwen3ForcedAligner.repair([]) == [])
        #expect(Qwen3ForcedAligner.repair([42.9]) == [42])
    }

    /// Slot logits, arg-max bins, repaired ms and seconds from one forward pass, on reference features.
    @Test(arguments: [("en", "speech_en"), ("punct_only", "speech_en"), ("long_text", "short_0p5")])
    func alignmentMatchesReference(name: String, clip: String) throws {
        let aligner = try Qwen3ForcedAligner(folder: Qwen3Fixtures.url("aligner-tiny-bf16"))
        let e = Self.entry(name)
        let units = Self.strings(e["units"])
        let mel = try Qwen3Fixtures.features(clip)
        let (logits, slots) = try aligner.slotLogits(mel: mel, units: units)
        #expect(slots == 2 * units.count && Qwen3Fixtures.ints(e["slot_logits_shape"]) == [slots, 500])
        let reference = try Qwen3Fixtures.floats(e["slot_logits_file"] as? String ?? "")
        let error = Qwen3Fixtures.relativeError(logits, reference)
        #expect(error <= 1e-3, "slot logits max|Δ| / max|logit| = \(error)")

        let alignment = try aligner.align(mel: mel, units: units)
        #expect(alignment.rawBins == Qwen3Fixtures.ints(e["raw_bins"]))
        #expect(alignment.fixedMilliseconds == Qwen3Fixtures.ints(e["fixed_ms"]))
        let items = e["items"] as? [[String: Any]] ?? []
        #expect(alignment.units.map(\.text) == items.compactMap { $0["text"] as? String })
        #expect(alignment.units.map(\.startSeconds) == items.compactMap { ($0["start"] as? NSNumber)?.doubleValue })
        #expect(alignment.units.map(\.endSeconds) == items.compactMap { ($0["end"] as? NSNumber)?.doubleValue })
    }

    @Test func recognizerFolderIsNotAnAligner() {
        #expect(throws: Qwen3ASRError.self) { try Qwen3ForcedAligner(folder: Qwen3Fixtures.url("asr-tiny-f32")) }
    }
}

/// Returns the words it was made with, whatever the text (the reference's units through the API).
struct FixedSegmenter: JapaneseSegmenter {
    let result: [String]
    init(_ result: [String]) { self.result = result }
    func words(in text: String) throws -> [String] { result }
}
