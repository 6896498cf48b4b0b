/// The language to align in when the recogniser named none (an OpenAI-style service answers text
/// only): the aligner needs it only to split the text into units, and that split differs only for
/// Korean (Hangul), Japanese (kana) and Chinese (Han); every language written with spaces splits alike.
enum AlignmentLanguage {
    static func guess(for text: String) -> Language? {
        var hangul = 0, kana = 0, han = 0
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0xAC00...0xD7AF, 0x1100...0x11FF, 0x3130...0x318F: hangul += 1
            case 0x3040...0x30FF: kana += 1
            case 0x4E00...0x9FFF, 0x3400...0x4DBF: han += 1
            default: break
            }
        }
        let code = hangul > 0 ? "ko" : kana > 0 ? "ja" : han > 0 ? "zh" : "en"
        return Language.known.first { $0.code == code }
    }
}
