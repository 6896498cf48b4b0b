// Character classes the text code needs: which scripts are written without spaces, which are
// wide (CJK subtitle limits), which marks end a sentence. Decided on Unicode scalars by block
// ranges so the answer never depends on a locale.

/// The writing-system family that picks subtitle limits.
public enum ScriptClass: String, Sendable, Hashable, Codable {
    /// Latin, Cyrillic, Greek, Arabic, ... : words separated by spaces, 42 chars per line.
    case latin
    /// Chinese, Japanese, Korean: 16 chars per line, 17 chars per second.
    case cjk

    /// Decides by the majority of units: each CJK character is one unit, each run of other
    /// letters (a word) is one unit, so Chinese with a few English terms stays `.cjk`.
    public static func dominant(in text: String) -> ScriptClass {
        var wide = 0, other = 0
        var inWord = false
        for character in text {
            if character.isLetter && isWide(character) {
                wide += 1
                inWord = false
            } else if character.isLetter {
                if !inWord { other += 1 }
                inWord = true
            } else {
                inWord = false
            }
        }
        return wide > other ? .cjk : .latin
    }

    /// Chinese/Japanese/Korean characters and their full-width punctuation.
    public static func isWide(_ character: Character) -> Bool {
        guard let scalar = character.unicodeScalars.first else { return false }
        return isHanOrKana(scalar.value) || isHangul(scalar.value) || isCJKPunctuation(scalar.value)
    }

    /// Scripts written without spaces between words (Chinese, Japanese, Thai, Lao, Khmer,
    /// Myanmar) and CJK punctuation: joining next to these inserts no space.
    public static func isSpaceless(_ character: Character) -> Bool {
        guard let scalar = character.unicodeScalars.first else { return false }
        let v = scalar.value
        return isHanOrKana(v) || isCJKPunctuation(v)
            || (0x0E00...0x0EFF).contains(v)   // Thai, Lao
            || (0x1780...0x17FF).contains(v)   // Khmer
            || (0x1000...0x109F).contains(v)   // Myanmar
    }

    /// Letters, digits and combining marks: the characters an aligner keeps in a word.
    public static func isWordCharacter(_ character: Character) -> Bool {
        if character.isLetter || character.isNumber { return true }
        guard let scalar = character.unicodeScalars.first else { return false }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: return true
        default: return false
        }
    }

    /// Marks that end a sentence in the scripts Scriba supports.
    public static let sentenceTerminals: Set<Character> = [
        ".", "!", "?", "…", "‼", "⁇", "⁈", "⁉",
        "。", "！", "？", "｡", "．",   // CJK full-width / half-width
        "؟", "।", "॥", "።", "჻",
    ]

    /// Marks after which a subtitle line or cue may break (clause boundaries).
    public static let clausePunctuation: Set<Character> = [
        ",", ";", ":", "—", "–", "、", "，", "；", "：", "،", "؛",
    ]

    /// Characters a Japanese or Chinese line must not start with (kinsoku shori, JIS X 4051 line-start
    /// prohibitions): small kana, the prolonged sound mark, iteration marks, closing brackets and
    /// quotes, and the marks that end a clause or sentence.
    public static func mayNotStartLine(_ character: Character) -> Bool {
        if lineStartProhibited.contains(character) { return true }
        guard let scalar = character.unicodeScalars.first else { return false }
        switch scalar.properties.generalCategory {
        case .closePunctuation, .finalPunctuation: return true
        default: return sentenceTerminals.contains(character) || clausePunctuation.contains(character)
        }
    }

    static let lineStartProhibited: Set<Character> = [
        "ぁ", "ぃ", "ぅ", "ぇ", "ぉ", "っ", "ゃ", "ゅ", "ょ", "ゎ", "ゕ", "ゖ",
        "ァ", "ィ", "ゥ", "ェ", "ォ", "ッ", "ャ", "ュ", "ョ", "ヮ", "ヵ", "ヶ",
        "ㇰ", "ㇱ", "ㇲ", "ㇳ", "ㇴ", "ㇵ", "ㇶ", "ㇷ", "ㇸ", "ㇹ", "ㇺ", "ㇻ", "ㇼ", "ㇽ", "ㇾ", "ㇿ",
        "ｧ", "ｨ", "ｩ", "ｪ", "ｫ", "ｬ", "ｭ", "ｮ", "ｯ",
        "ー", "ｰ", "々", "ゝ", "ゞ", "ヽ", "ヾ", "・", "‥", "…", "〜",
    ]

    /// Punctuation that belongs to the following word: opening brackets and quotes, Spanish ¿¡.
    public static func isOpening(_ character: Character) -> Bool {
        guard let scalar = character.unicodeScalars.first else { return false }
        switch scalar.properties.generalCategory {
        case .openPunctuation, .initialPunctuation: return true
        default: return character == "¿" || character == "¡"
        }
    }

    /// The language a text's script names, for an aligner told `auto` (it cannot listen for the
    /// language; the script decides how it cuts the text into units): kana → Japanese (Japanese mixes
    /// in Han), Hangul → Korean, Han → Chinese, by which of them is most frequent; otherwise English,
    /// the aligner's space-split treatment, which every space-separated language shares.
    public static func language(ofText text: String) -> Language {
        var han = 0, kana = 0, hangul = 0
        for scalar in text.unicodeScalars {
            let v = scalar.value
            if isKana(v) { kana += 1 } else if isHanOrKana(v) { han += 1 } else if isHangul(v) { hangul += 1 }
        }
        let code: String
        if dominant(in: text) == .latin || han + kana + hangul == 0 { code = "en" }
        else if kana > 0 && kana + han >= hangul { code = "ja" }
        else if hangul > han { code = "ko" }
        else { code = "zh" }
        return Language.known.first { $0.code == code }!
    }

    private static func isKana(_ v: UInt32) -> Bool {
        (0x3040...0x30FF).contains(v) || (0x31F0...0x31FF).contains(v) || (0xFF66...0xFF9F).contains(v)
    }

    private static func isHanOrKana(_ v: UInt32) -> Bool {
        (0x4E00...0x9FFF).contains(v) || (0x3400...0x4DBF).contains(v)
            || (0x20000...0x2FFFF).contains(v) || (0xF900...0xFAFF).contains(v)
            || (0x3040...0x30FF).contains(v) || (0x31F0...0x31FF).contains(v)
            || (0xFF66...0xFF9F).contains(v)   // half-width katakana
    }

    private static func isHangul(_ v: UInt32) -> Bool {
        (0xAC00...0xD7AF).contains(v) || (0x1100...0x11FF).contains(v) || (0x3130...0x318F).contains(v)
    }

    private static func isCJKPunctuation(_ v: UInt32) -> Bool {
        (0x3000...0x303F).contains(v) || (0xFF00...0xFF65).contains(v)
    }
}
