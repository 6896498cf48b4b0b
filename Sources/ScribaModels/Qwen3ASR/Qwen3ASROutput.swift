// Turning Qwen3-ASR's decoded output into (language, text), exactly as `inference/utils.py`
// (`parse_asr_output`, `detect_and_fix_repetitions`) does. Python strings index code points, so
// everything here works on Unicode scalars, and "whitespace" is Python's `str.isspace`.

public enum Qwen3ASROutput {
    static let asrTextTag = "<asr_text>"
    /// Runs longer than this (one character, or a pattern of up to `maxPatternLength` characters)
    /// collapse to one copy.
    public static let repetitionThreshold = 20
    public static let maxPatternLength = 20

    /// `parse_asr_output(raw, user_language)`: with a forced language the whole (repetition-fixed)
    /// output is the text; otherwise "language X<asr_text>text" is split, "language None" means no
    /// speech, and output without the tag is all text with no language.
    public static func parse(_ raw: String, forcedLanguage: String?) -> (language: String, text: String) {
        let stripped = strip(Array(raw.unicodeScalars))
        guard !stripped.isEmpty else { return ("", "") }
        let s = fixRepetitions(stripped)
        if let forcedLanguage, !forcedLanguage.isEmpty { return (forcedLanguage, string(s)) }

        let tag = Array(asrTextTag.unicodeScalars)
        guard let tagStart = firstIndex(of: tag, in: s) else { return ("", string(strip(s))) }
        let meta = Array(s[..<tagStart]), text = Array(s[(tagStart + tag.count)...])
        if string(meta).lowercased().contains("language none") {
            return ("", string(strip(text)))
        }
        var language = ""
        for rawLine in splitLines(meta) {
            let line = strip(rawLine)
            if line.isEmpty { continue }
            if string(line).lowercased().hasPrefix("language ") {
                let value = strip(Array(line.dropFirst(9)))
                if !value.isEmpty { language = normalizeLanguageName(string(value)) }
                break
            }
        }
        return (language, string(strip(text)))
    }

    /// `detect_and_fix_repetitions(text, threshold=20)`.
    public static func fixRepetitions(_ text: String) -> String {
        string(fixRepetitions(Array(text.unicodeScalars)))
    }

    /// `normalize_language_name`: first character upper case, the rest lower case.
    public static func normalizeLanguageName(_ name: String) -> String {
        let trimmed = string(strip(Array(name.unicodeScalars)))
        return trimmed.prefix(1).uppercased() + trimmed.dropFirst().lowercased()
    }

    static func fixRepetitions(_ s: [Unicode.Scalar]) -> [Unicode.Scalar] {
        fixPatternRepeats(fixCharacterRepeats(s))
    }

    /// A run of one character longer than the threshold becomes that character once.
    static func fixCharacterRepeats(_ s: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var result: [Unicode.Scalar] = []
        result.reserveCapacity(s.count)
        var i = 0
        while i < s.count {
            var count = 1
            while i + count < s.count && s[i + count] == s[i] { count += 1 }
            if count > repetitionThreshold { result.append(s[i]) } else { result.append(contentsOf: s[i..<(i + count)]) }
            i += count
        }
        return result
    }

    /// Scanning left to right, the first pattern of k ≤ 20 characters repeated ≥ 20 times in a row
    /// is kept once, the rest after its last repeat is fixed the same way, and the scan ends.
    static func fixPatternRepeats(_ s: [Unicode.Scalar]) -> [Unicode.Scalar] {
        let n = s.count, thresh = repetitionThreshold
        let minimum = thresh * 2
        if n < minimum { return s }
        var result: [Unicode.Scalar] = []
        var i = 0
        while i <= n - minimum {
            for k in 1...maxPatternLength {
                if i + k * thresh > n { break }
                let pattern = s[i..<(i + k)]
                var valid = true
                for repetition in 1..<thresh {
                    let start = i + repetition * k
                    if s[start..<(start + k)] != pattern {
                        valid = false
                        break
                    }
                }
                if valid {
                    var end = i + thresh * k
                    while end + k <= n && s[end..<(end + k)] == pattern { end += k }
                    result.append(contentsOf: pattern)
                    result.append(contentsOf: fixPatternRepeats(Array(s[end...])))
                    return result
                }
            }
            result.append(s[i])
            i += 1
        }
        result.append(contentsOf: s[i...])
        return result
    }

    /// Python `str.isspace`: Unicode White_Space plus the separators U+001C…U+001F.
    static func isSpace(_ c: Unicode.Scalar) -> Bool {
        c.properties.isWhitespace || (0x1C...0x1F).contains(c.value)
    }

    static func strip(_ s: [Unicode.Scalar]) -> [Unicode.Scalar] {
        guard let first = s.firstIndex(where: { !isSpace($0) }), let last = s.lastIndex(where: { !isSpace($0) }) else { return [] }
        return Array(s[first...last])
    }

    /// Python `str.splitlines()` boundaries: \n, \r, \r\n, \v, \f, U+001C–U+001E, U+0085, U+2028, U+2029.
    static func splitLines(_ s: [Unicode.Scalar]) -> [[Unicode.Scalar]] {
        var lines: [[Unicode.Scalar]] = []
        var current: [Unicode.Scalar] = []
        var i = 0
        while i < s.count {
            let v = s[i].value
            if [0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x85, 0x2028, 0x2029].contains(v) {
                lines.append(current)
                current = []
                if v == 0x0D && i + 1 < s.count && s[i + 1].value == 0x0A { i += 1 }
            } else {
                current.append(s[i])
            }
            i += 1
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }

    static func firstIndex(of needle: [Unicode.Scalar], in haystack: [Unicode.Scalar]) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start..<(start + needle.count)].elementsEqual(needle) {
            return start
        }
        return nil
    }

    static func string(_ scalars: [Unicode.Scalar]) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return String(view)
    }
}
