import Foundation

// Korean alignment units as qwen-asr 0.0.6 makes them: soynlp's `LTokenizer` with a score of 1.0
// for every word of the reference's dictionary (`Resources/korean-words.txt`) and 0 for anything else. Each
// whitespace-separated token (eojeol) of three or more characters is cut once into a left part
// (a known word: noun/stem) and the rest (particles/endings). soynlp picks the cut with the highest
// (score, length of the left part): the longest dictionary prefix of length ≥ 2, or, when no
// prefix is a word, the whole token. Tokens of ≤ 2 characters stay whole. Lengths and
// comparisons are on Unicode scalars, as Python strings are, so the cuts are the reference's exactly.

public struct KoreanLTokenizer: Sendable {
    private let words: Set<[Unicode.Scalar]>
    private let longestWord: Int

    /// The word list's file name among ScribaModels' resources (see Resources/NOTICE-korean-words.txt).
    public static let wordListFile = "korean-words.txt"

    /// The tokenizer over the reference's dictionary, read once from the resources; a missing or
    /// unreadable file is a `ModelLoadError` (and stays one: the resources do not appear while running).
    public static func reference() throws -> KoreanLTokenizer { try loadedReference.get() }

    private static let loadedReference = Result { () throws -> KoreanLTokenizer in
        let url = try ModelResources.locate(wordListFile)
        do {
            return KoreanLTokenizer(wordList: try String(contentsOf: url, encoding: .utf8))
        } catch {
            throw ModelLoadError.unreadable(url, reason: "\(error.localizedDescription) Reinstall Scriba, or restore the file from the source tree.")
        }
    }

    /// `wordList`: one word per line; as in the reference only the first whitespace-separated
    /// field of a line counts and blank lines are skipped.
    public init(wordList: String) {
        var words = Set<[Unicode.Scalar]>()
        var longest = 0
        for line in wordList.unicodeScalars.split(separator: "\n") {
            guard let first = Qwen3ForcedAligner.splitWhitespace(Array(line)).first else { continue }
            words.insert(first)
            longest = max(longest, first.count)
        }
        self.words = words
        longestWord = longest
    }

    /// `LTokenizer.tokenize(text)` (flattened, empty right parts dropped); punctuation is still in
    /// the tokens, the aligner cleans it afterwards as the reference does.
    public func tokenize(_ text: String) -> [[Unicode.Scalar]] {
        var tokens: [[Unicode.Scalar]] = []
        for token in Qwen3ForcedAligner.splitWhitespace(Array(text.unicodeScalars)) {
            let cut = leftLength(token)
            tokens.append(Array(token[..<cut]))
            if cut < token.count { tokens.append(Array(token[cut...])) }
        }
        return tokens
    }

    /// Length of the left part of `token`.
    func leftLength(_ token: [Unicode.Scalar]) -> Int {
        guard token.count > 2 else { return token.count }
        let last = min(token.count, longestWord)
        if last >= 2 {
            for end in stride(from: last, through: 2, by: -1) where words.contains(Array(token[..<end])) { return end }
        }
        return token.count
    }
}
