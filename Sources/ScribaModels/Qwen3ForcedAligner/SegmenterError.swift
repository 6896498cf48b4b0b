import Foundation

/// A word segmenter the aligner needs is missing or failed.
public enum SegmenterError: Error, Equatable, Sendable {
    /// libmecab could not be loaded (`tried`: the library names dlopen was given).
    case mecabLibraryMissing(tried: [String], detail: String)
    /// libmecab loaded but has no symbol Scriba calls (a very old or foreign build).
    case mecabSymbolMissing(String)
    /// MeCab did not start: usually no dictionary (`detail` is MeCab's own message).
    case mecabStartFailed(arguments: String, detail: String)
    /// MeCab returned no result for a sentence.
    case mecabParseFailed(detail: String)
}

extension SegmenterError: LocalizedError, CustomStringConvertible {
    public var description: String {
        switch self {
        case .mecabLibraryMissing(let tried, let detail):
            return "Japanese alignment needs MeCab, but libmecab could not be loaded (tried \(tried.joined(separator: ", ")): \(detail)). Install it: apt-get install libmecab2 mecab-ipadic-utf8 (or run scripts/install-deps); on macOS brew install mecab mecab-ipadic."
        case .mecabSymbolMissing(let name):
            return "The libmecab found has no '\(name)' function; install Debian's libmecab2 (apt-get install libmecab2 mecab-ipadic-utf8)."
        case .mecabStartFailed(let arguments, let detail):
            return "MeCab did not start with '\(arguments)': \(detail). Install a dictionary (apt-get install mecab-ipadic-utf8) or point MECABRC at a mecabrc naming one."
        case .mecabParseFailed(let detail):
            return "MeCab could not analyse the text: \(detail)."
        }
    }
    public var errorDescription: String? { description }
}
