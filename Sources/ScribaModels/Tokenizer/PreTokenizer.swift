/// Splits text into the pieces BPE runs on, reproducing the Hugging Face `tokenizers` regex split
/// (Oniguruma, `find_iter`, "Isolated" behaviour) for the two patterns byte-level models use, with a
/// hand-written scanner per pattern instead of a regex engine: ICU (NSRegularExpression) and Oniguruma
/// differ in corners such as `\s`, and a scanner over scalar classes is several times faster.
///
/// Character classes follow Oniguruma's Unicode definitions: `\p{L}` = general category L*,
/// `\p{N}` = Nd/Nl/No, `\s` = the White_Space property.
struct PreTokenizer: Sendable, Equatable {
    enum Pattern: Sendable, Equatable {
        /// Qwen2/Qwen2.5/Qwen3 (the pattern transformers' Qwen2 converter and Qwen tokenizer.json use).
        case qwen2
        /// GPT-2, Whisper, RoBERTa: what `ByteLevel(use_regex: true)` applies.
        case gpt2

        static let qwen2Regex =
            #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
        static let gpt2Regex = #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#

        /// The pattern a tokenizer file spells out, or nil when Scriba has no scanner for it.
        init?(regex: String) {
            switch regex {
            case Self.qwen2Regex: self = .qwen2
            case Self.gpt2Regex: self = .gpt2
            default: return nil
            }
        }
    }

    /// nil: no regex split, the whole segment is one piece (ByteLevel with use_regex false alone).
    var pattern: Pattern?
    /// ByteLevel's add_prefix_space: a segment not starting with a space gets one.
    var addPrefixSpace: Bool

    // Class bits of one scalar.
    static let letter: UInt8 = 1
    static let number: UInt8 = 2
    static let space: UInt8 = 4
    /// \r or \n (also has `space`).
    static let lineBreak: UInt8 = 8

    private static let asciiClasses: [UInt8] = (0..<128).map { classify(Unicode.Scalar(UInt8($0))) }

    @inline(__always)
    static func classOf(_ scalar: Unicode.Scalar) -> UInt8 {
        scalar.value < 128 ? asciiClasses[Int(scalar.value)] : classify(scalar)
    }

    private static func classify(_ scalar: Unicode.Scalar) -> UInt8 {
        if scalar == "\r" || scalar == "\n" { return space | lineBreak }
        let properties = scalar.properties
        if properties.isWhitespace { return space }
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            return letter
        case .decimalNumber, .letterNumber, .otherNumber:
            return number
        default:
            return 0
        }
    }

    /// Appends the pieces of `scalars` (classes in `classes`) as scalar index ranges.
    func split(_ scalars: [Unicode.Scalar], classes: [UInt8], into pieces: inout [Range<Int>]) {
        let count = scalars.count
        guard let pattern, count > 0 else {
            if count > 0 { pieces.append(0..<count) }
            return
        }
        // find_iter: text between matches (none with these patterns, kept for fidelity) is a piece too.
        var gapStart = 0
        var index = 0
        while index < count {
            let end: Int
            switch pattern {
            case .qwen2: end = Self.matchQwen2(scalars, classes, at: index)
            case .gpt2: end = Self.matchGPT2(scalars, classes, at: index)
            }
            if end > index {
                if gapStart < index { pieces.append(gapStart..<index) }
                pieces.append(index..<end)
                index = end
                gapStart = end
            } else {
                index += 1
            }
        }
        if gapStart < count { pieces.append(gapStart..<count) }
    }

    @inline(__always)
    private static func runEnd(_ classes: [UInt8], from start: Int, while mask: UInt8) -> Int {
        var end = start
        while end < classes.count && classes[end] & mask != 0 { end += 1 }
        return end
    }

    /// Other = not \s, \p{L} or \p{N}.
    @inline(__always)
    private static func isOther(_ cls: UInt8) -> Bool { cls & (letter | number | space) == 0 }

    private static func otherRunEnd(_ classes: [UInt8], from start: Int) -> Int {
        var end = start
        while end < classes.count && isOther(classes[end]) { end += 1 }
        return end
    }

    /// `'s|'t|'re|'ve|'m|'ll|'d`, optionally case-insensitive; returns the match end or `index`.
    private static func matchContraction(_ scalars: [Unicode.Scalar], at index: Int, ignoreCase: Bool) -> Int {
        guard scalars[index] == "'", index + 1 < scalars.count else { return index }
        func folded(_ i: Int) -> UInt32 {
            guard i < scalars.count else { return 0 }
            let v = scalars[i].value
            guard ignoreCase else { return v }
            if v >= 0x41 && v <= 0x5A { return v + 0x20 }
            // Oniguruma's case folding maps U+017F LATIN SMALL LETTER LONG S to "s".
            if v == 0x17F { return 0x73 }
            return v
        }
        let first = folded(index + 1)
        switch first {
        case 0x73, 0x74, 0x6D, 0x64: return index + 2  // s t m d
        case 0x72, 0x76: return folded(index + 2) == 0x65 ? index + 3 : index  // re ve
        case 0x6C: return folded(index + 2) == 0x6C ? index + 3 : index  // ll
        default: return index
        }
    }

    /// Whitespace alternatives shared by both patterns: `\s+(?!\S)|\s+` (Qwen2 tries `\s*[\r\n]+` first).
    private static func matchSpaces(_ classes: [UInt8], at index: Int, lineBreakFirst: Bool) -> Int {
        let end = runEnd(classes, from: index, while: space)
        if lineBreakFirst {
            // \s*[\r\n]+ backtracks to the last line break of the run and stops right after it.
            var last = end - 1
            while last >= index && classes[last] & lineBreak == 0 { last -= 1 }
            if last >= index { return last + 1 }
        }
        // \s+(?!\S): the whole run at the end of text, else all but the last space (which then
        // joins the next word); a single space before a non-space falls through to \s+.
        if end == classes.count { return end }
        if end - 1 > index { return end - 1 }
        return end
    }

    /// `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
    static func matchQwen2(_ scalars: [Unicode.Scalar], _ classes: [UInt8], at index: Int) -> Int {
        let contraction = matchContraction(scalars, at: index, ignoreCase: true)
        if contraction > index { return contraction }
        let cls = classes[index]
        let count = classes.count
        if cls & letter != 0 { return runEnd(classes, from: index, while: letter) }
        if cls & (lineBreak | number) == 0 && index + 1 < count && classes[index + 1] & letter != 0 {
            return runEnd(classes, from: index + 1, while: letter)
        }
        if cls & number != 0 { return index + 1 }
        var start = index
        if scalars[index] == " " && index + 1 < count && isOther(classes[index + 1]) { start = index + 1 }
        if isOther(classes[start]) {
            let end = otherRunEnd(classes, from: start)
            return runEnd(classes, from: end, while: lineBreak)
        }
        if cls & space != 0 { return matchSpaces(classes, at: index, lineBreakFirst: true) }
        return index
    }

    /// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`
    static func matchGPT2(_ scalars: [Unicode.Scalar], _ classes: [UInt8], at index: Int) -> Int {
        let contraction = matchContraction(scalars, at: index, ignoreCase: false)
        if contraction > index { return contraction }
        let count = classes.count
        let hasSpace = scalars[index] == " " && index + 1 < count
        let start = hasSpace ? index + 1 : index
        let cls = classes[start]
        if cls & letter != 0 { return runEnd(classes, from: start, while: letter) }
        if cls & number != 0 { return runEnd(classes, from: start, while: number) }
        if isOther(cls) { return otherRunEnd(classes, from: start) }
        if classes[index] & space != 0 { return matchSpaces(classes, at: index, lineBreakFirst: false) }
        return index
    }
}
