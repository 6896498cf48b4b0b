import Foundation
import Testing
@testable import ScribaModels

// Korean and Japanese alignment units against aligner_units_reference.json
// (scripts/fixtures/make_aligner_units.py: qwen-asr 0.0.6's own encode_timestamp, and libmecab).

struct AlignerUnitsTests {
    nonisolated(unsafe) static let reference: [String: Any] = (try? Qwen3Fixtures.json("aligner_units_reference.json")) ?? [:]

    static func cases(_ key: String) -> [[String: Any]] { reference[key] as? [[String: Any]] ?? [] }
    static func strings(_ value: Any?) -> [String] { (value as? [Any])?.compactMap { $0 as? String } ?? [] }

    static let mecab: MeCabSegmenter? = try? MeCabSegmenter()

    /// All 20 Korean sentences: the same units as soynlp's LTokenizer over the reference dictionary.
    @Test func koreanUnitsEqualReference() throws {
        let cases = Self.cases("korean")
        #expect(cases.count == 20)
        var equal = 0
        for c in cases {
            let units = try Qwen3ForcedAligner.units(of: c["text"] as? String ?? "", language: "Korean")
            #expect(units == Self.strings(c["units"]), "\(c["text"] ?? "")")
            if units == Self.strings(c["units"]) { equal += 1 }
        }
        #expect(equal == cases.count)
    }

    /// The L-tokenizer rule on a hand-made dictionary: longest known prefix of ≥ 2 characters,
    /// else the whole token; tokens of ≤ 2 characters whole; punctuation stays until cleaning.
    @Test func lTokenizerRule() {
        let tokenizer = KoreanLTokenizer(wordList: "가나 10 x\n가나다 5 x\n\n라마바사\n")
        func pieces(_ text: String) -> [String] { tokenizer.tokenize(text).map { String(String.UnicodeScalarView($0)) } }
        #expect(pieces("가나다라") == ["가나다", "라"])        // 가나 and 가나다 known: the longer wins
        #expect(pieces("가나라") == ["가나", "라"])
        #expect(pieces("라마바사아") == ["라마바사", "아"])
        #expect(pieces("하하하하") == ["하하하하"])            // nothing known: the whole token
        #expect(pieces("가나 다 라마바사") == ["가나", "다", "라마바사"])
        #expect(pieces("가나다.") == ["가나다", "."])
        #expect(pieces("  ") == [])
    }

    /// MeCab (Debian's libmecab2 + mecab-ipadic-utf8, which scripts/install-deps installs) gives the
    /// units recorded from libmecab for every Japanese sentence, and agrees with nagisa on 9 of 15.
    @Test(.enabled(if: mecab != nil, "libmecab2 + mecab-ipadic-utf8 not installed"))
    func japaneseMeCabUnits() throws {
        let mecab = try #require(Self.mecab)
        let cases = Self.cases("japanese")
        #expect(cases.count == 15)
        var sameAsReference = 0
        for c in cases {
            let units = try Qwen3ForcedAligner.units(of: c["text"] as? String ?? "", language: "Japanese", japanese: mecab)
            #expect(units == Self.strings(c["mecab_units"]), "\(c["text"] ?? "")")
            if units == Self.strings(c["reference_units"]) { sameAsReference += 1 }
        }
        #expect(sameAsReference == 9)
    }

    @Test(.enabled(if: mecab != nil, "libmecab2 + mecab-ipadic-utf8 not installed"))
    func meCabSplitsLinesAndSkipsBlankOnes() throws {
        let mecab = try #require(Self.mecab)
        #expect(try mecab.words(in: "私は\n\n  \n猫です") == ["私", "は", "猫", "です"])
        #expect(try mecab.words(in: "").isEmpty)
    }

    /// A MeCab that cannot start says what to install instead of crashing.
    @Test(.enabled(if: mecab != nil, "libmecab2 not installed"))
    func meCabWithoutDictionaryIsATypedError() {
        #expect {
            _ = try MeCabSegmenter(arguments: "-d /nonexistent-dictionary")
        } throws: { error in
            guard case SegmenterError.mecabStartFailed = error else { return false }
            return "\(error)".contains("mecab-ipadic-utf8")
        }
    }
}
