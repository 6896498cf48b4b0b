// Qwen3-ForcedAligner: word/character times for a known transcript, following qwen-asr 0.0.6
// `inference/qwen3_forced_aligner.py` (docs/qwen3-reference-notes.md, "Forced aligner"). The model is
// the Qwen3-ASR thinker with a classifier head (`classify_num` bins of `timestamp_segment_time` ms):
// one forward pass over `<|audio_start|><|audio_pad|>×N<|audio_end|>unit<timestamp><timestamp>unit…`,
// arg-max at every `<timestamp>` slot (start, end per unit), then the reference's repair.
//
// Units per language as the reference makes them: Korean with soynlp's L-tokenizer over the
// reference's dictionary (`KoreanLTokenizer`, identical units); Japanese from a `JapaneseSegmenter`
// (MeCab by default, where the reference uses nagisa: units may differ, see `MeCabSegmenter`);
// everything else by the whitespace/CJK splitter. Callers with units of their own (the reference's
// nagisa units in tests) pass them to `align(mel:units:)` directly.

import Foundation
import ScribaTensor

/// One aligned unit: times in integer milliseconds (after repair) and in seconds as `align()`
/// reports them (`round(ms / 1000, 3)`).
public struct Qwen3AlignedUnit: Sendable, Equatable {
    public var text: String
    public var startMilliseconds: Int
    public var endMilliseconds: Int
    public var startSeconds: Double { Double(startMilliseconds) / 1000 }
    public var endSeconds: Double { Double(endMilliseconds) / 1000 }
}

/// The alignment of one clip with its intermediate values (for inspection and tests).
public struct Qwen3Alignment: Sendable, Equatable {
    public var units: [Qwen3AlignedUnit]
    /// Arg-max class at each `<timestamp>` slot (2 per unit).
    public var rawBins: [Int]
    /// Repaired slot times, ms.
    public var fixedMilliseconds: [Int]
}

public final class Qwen3ForcedAligner {
    public let model: Qwen3ASR
    public let timestampTokenID: Int
    /// Milliseconds per classifier bin (80 in the released checkpoint).
    public let segmentMilliseconds: Double

    /// `precision`: how the weights are held (nil: the checkpoint's dtype), as for `Qwen3ASR`.
    public convenience init(folder: URL, encoderAttention: Qwen3EncoderAttention = .windowed, precision: WeightPrecision? = nil) throws {
        try self.init(model: try Qwen3ASR(folder: folder, encoderAttention: encoderAttention, precision: precision))
    }

    /// An aligner over a loaded thinker with a classifier head.
    public init(model: Qwen3ASR) throws {
        guard model.config.isForcedAligner, let token = model.specialTokens.timestamp,
              let segment = model.config.timestampSegmentTime else {
            throw Qwen3ASRError.wrongModelKind(folder: model.folder, expected: "Qwen3-ForcedAligner model", found: "Qwen3-ASR")
        }
        self.model = model
        timestampTokenID = token
        segmentMilliseconds = segment
    }

    /// `Qwen3ForceAlignProcessor.encode_timestamp`'s units. Korean: L-tokenizer pieces; Japanese:
    /// `japanese`'s words (MeCab's shared tagger when nil; throws `SegmenterError` when MeCab is
    /// missing); each then cleaned to letters, digits and apostrophes, empty ones dropped. Other
    /// languages: `spaceDelimitedUnits`. `language` is the reference's name ("Korean", "English").
    public static func units(of text: String, language: String, japanese: (any JapaneseSegmenter)? = nil) throws -> [String] {
        switch language.lowercased() {
        case "korean":
            return try KoreanLTokenizer.reference().tokenize(text).compactMap(cleaned)
        case "japanese":
            return try (japanese ?? MeCabSegmenter.shared()).words(in: text).compactMap { cleaned(Array($0.unicodeScalars)) }
        default:
            return spaceDelimitedUnits(text)
        }
    }

    /// `clean_token`, nil when nothing is left.
    static func cleaned(_ token: [Unicode.Scalar]) -> String? {
        let kept = token.filter(isKept)
        return kept.isEmpty ? nil : Qwen3ASROutput.string(kept)
    }

    /// `tokenize_space_lang`: split at whitespace, keep letters, digits and apostrophes, and make
    /// every CJK ideograph its own unit.
    public static func spaceDelimitedUnits(_ text: String) -> [String] {
        var units: [String] = []
        for piece in splitWhitespace(Array(text.unicodeScalars)) {
            let cleaned = piece.filter(isKept)
            guard !cleaned.isEmpty else { continue }
            var buffer: [Unicode.Scalar] = []
            for c in cleaned {
                if isCJK(c) {
                    if !buffer.isEmpty { units.append(Qwen3ASROutput.string(buffer)) }
                    buffer = []
                    units.append(String(Character(c)))
                } else {
                    buffer.append(c)
                }
            }
            if !buffer.isEmpty { units.append(Qwen3ASROutput.string(buffer)) }
        }
        return units
    }

    /// `<|audio_start|><|audio_pad|>×N<|audio_end|>` + units joined by `<timestamp><timestamp>`, plus
    /// a final `<timestamp><timestamp>`, tokenized as one string (no chat template).
    public func inputIDs(units: [String], audioTokens: Int) -> [Int] {
        let text = "<|audio_start|><|audio_pad|><|audio_end|>" + units.joined(separator: "<timestamp><timestamp>") + "<timestamp><timestamp>"
        var ids: [Int] = []
        for id in model.tokenizer.encode(text) {
            if id == model.specialTokens.audioPad {
                ids.append(contentsOf: repeatElement(id, count: audioTokens))
            } else {
                ids.append(id)
            }
        }
        return ids
    }

    /// Classifier outputs at the `<timestamp>` slots: [slots × classify_num], row-major.
    public func slotLogits(mel: Tensor, units: [String]) throws -> (logits: [Float], slots: Int) {
        try slotLogits(audio: try model.encodeAudio(mel: mel), units: units)
    }

    /// `slotLogits(mel:units:)` from the audio encoder's output [tokens, hidden].
    public func slotLogits(audio: Tensor, units: [String]) throws -> (logits: [Float], slots: Int) {
        let ids = inputIDs(units: units, audioTokens: audio.shape[0])
        let slots = ids.indices.filter { ids[$0] == timestampTokenID }
        let logits = try model.prefill(ids, audio: audio, extraPositions: 0, collect: slots)
        return (logits, slots.count)
    }

    /// Times for `units` in the clip whose features are `mel` [mel bins, frames].
    public func align(mel: Tensor, units: [String]) throws -> Qwen3Alignment {
        guard !units.isEmpty else { return Qwen3Alignment(units: [], rawBins: [], fixedMilliseconds: []) }
        let (logits, slots) = try slotLogits(mel: mel, units: units)
        let classes = model.headRows
        let bins = logits.withUnsafeBufferPointer { buffer in
            (0..<slots).map { Vector.argmax(buffer.baseAddress! + $0 * classes, count: classes) }
        }
        return Self.alignment(units: units, bins: bins, segmentMilliseconds: segmentMilliseconds)
    }

    /// Units timed from their slots' arg-max classes (2 per unit): bins × `segmentMilliseconds`,
    /// then `repair`. Also what a client of vLLM's `/pooling` aligner does with the logits it gets.
    public static func alignment(units: [String], bins: [Int], segmentMilliseconds: Double) -> Qwen3Alignment {
        let fixed = repair(bins.map { Double($0) * segmentMilliseconds })
        let aligned = units.indices.map {
            Qwen3AlignedUnit(text: units[$0], startMilliseconds: fixed[2 * $0], endMilliseconds: fixed[2 * $0 + 1])
        }
        return Qwen3Alignment(units: aligned, rawBins: bins, fixedMilliseconds: fixed)
    }

    /// `fix_timestamp`: keep the longest non-decreasing subsequence (first-found on ties); replace
    /// runs of ≤ 2 outliers by the nearer kept neighbour (left on ties) and longer runs by linear
    /// interpolation between the kept neighbours (or a copy of the only one); truncate to Int.
    public static func repair(_ values: [Double]) -> [Int] {
        let n = values.count
        guard n > 0 else { return [] }
        var length = [Int](repeating: 1, count: n)
        var parent = [Int](repeating: -1, count: n)
        for i in 1..<max(n, 1) {
            for j in 0..<i where values[j] <= values[i] && length[j] + 1 > length[i] {
                length[i] = length[j] + 1
                parent[i] = j
            }
        }
        let best = length.max() ?? 1
        var normal = [Bool](repeating: false, count: n)
        var index = length.firstIndex(of: best) ?? 0
        while index != -1 {
            normal[index] = true
            index = parent[index]
        }
        var result = values
        var i = 0
        while i < n {
            guard !normal[i] else {
                i += 1
                continue
            }
            var j = i
            while j < n && !normal[j] { j += 1 }
            let left = (0..<i).reversed().first { normal[$0] }.map { result[$0] }
            let right = (j..<n).first { normal[$0] }.map { result[$0] }
            let count = j - i
            for k in i..<j {
                switch (left, right) {
                case let (l?, r?):
                    if count <= 2 {
                        result[k] = (k - (i - 1)) <= (j - k) ? l : r
                    } else {
                        result[k] = l + (r - l) / Double(count + 1) * Double(k - i + 1)
                    }
                case let (l?, nil): result[k] = l
                case let (nil, r?): result[k] = r
                case (nil, nil): break
                }
            }
            i = j
        }
        return result.map { Int($0) }
    }

    /// Python `str.split()` (runs of `str.isspace` characters), as scalar arrays.
    static func splitWhitespace(_ text: [Unicode.Scalar]) -> [[Unicode.Scalar]] {
        var pieces: [[Unicode.Scalar]] = []
        var current: [Unicode.Scalar] = []
        for c in text {
            if Qwen3ASROutput.isSpace(c) {
                if !current.isEmpty { pieces.append(current) }
                current = []
            } else {
                current.append(c)
            }
        }
        if !current.isEmpty { pieces.append(current) }
        return pieces
    }

    /// `is_kept_char`: an apostrophe, or Unicode category L* / N*.
    static func isKept(_ c: Unicode.Scalar) -> Bool {
        if c == "'" { return true }
        switch c.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .decimalNumber, .letterNumber, .otherNumber:
            return true
        default:
            return false
        }
    }

    /// `is_cjk_char`: CJK Unified Ideographs, extensions A–E and compatibility ideographs (not kana
    /// or Hangul).
    static func isCJK(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F,
             0x2B740...0x2B81F, 0x2B820...0x2CEAF, 0xF900...0xFAFF:
            return true
        default:
            return false
        }
    }
}
