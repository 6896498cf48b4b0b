import Foundation

/// Everything that can go wrong loading a byte-level BPE tokenizer. Each description says what was
/// wrong and what to do about it.
public enum TokenizerError: Error, Equatable, Sendable {
    /// None of the accepted file layouts is in the folder; `lookedFor` names what was searched.
    case filesMissing(folder: URL, lookedFor: [String])
    case unreadable(URL, reason: String)
    case malformedJSON(URL, detail: String)
    case malformedMerges(URL, line: Int, detail: String)
    /// A merge names a token (or produces one) that the vocabulary does not contain.
    case mergeReferencesUnknownToken(URL, line: Int, token: String)
    case unsupportedModelType(URL, type: String)
    case unsupportedPreTokenizer(URL, detail: String)
    case unsupportedNormalizer(URL, detail: String)
    case unsupportedTokenizerClass(URL, name: String)
}

extension TokenizerError: LocalizedError, CustomStringConvertible {
    public var description: String {
        switch self {
        case .filesMissing(let folder, let lookedFor):
            return "\(folder.path): no tokenizer found (looked for \(lookedFor.joined(separator: ", "))). "
                + "Point at the model folder that holds the tokenizer files, or download the model again."
        case .unreadable(let url, let reason):
            return "\(url.path): cannot be read (\(reason)). Check that the file exists and its permissions."
        case .malformedJSON(let url, let detail):
            return "\(url.lastPathComponent): not a valid tokenizer file (\(detail)). The download may be "
                + "incomplete; download the model again."
        case .malformedMerges(let url, let line, let detail):
            return "\(Self.place(url, line)): \(detail). Each merge must hold two tokens (\"a b\" or [\"a\", \"b\"]); "
                + "download the model again."
        case .mergeReferencesUnknownToken(let url, let line, let token):
            return "\(Self.place(url, line)): the merge uses '\(token)', which is not in the "
                + "vocabulary; the merges and the vocabulary come from different models. Download the model again."
        case .unsupportedModelType(let url, let type):
            return "\(url.lastPathComponent): tokenizer model type '\(type)' is not supported; Scriba reads "
                + "byte-level BPE tokenizers only (Qwen2/Qwen3, Whisper, GPT-2)."
        case .unsupportedPreTokenizer(let url, let detail):
            return "\(url.lastPathComponent): unsupported pre-tokenizer (\(detail)); Scriba knows the Qwen2 and "
                + "GPT-2 byte-level split patterns. Use a model with one of those tokenizers."
        case .unsupportedNormalizer(let url, let detail):
            return "\(url.lastPathComponent): unsupported normalizer (\(detail)); Scriba supports none or NFC. "
                + "Use a model with one of those tokenizers."
        case .unsupportedTokenizerClass(let url, let name):
            return "\(url.lastPathComponent): tokenizer_class '\(name)' is not a byte-level BPE tokenizer Scriba "
                + "knows (Qwen2Tokenizer, GPT2Tokenizer, WhisperTokenizer). Add a tokenizer.json to the folder "
                + "or use a supported model."
        }
    }
    public var errorDescription: String? { description }

    /// "merges.txt line 3", or "tokenizer.json merge 3" where merges are JSON array entries.
    private static func place(_ url: URL, _ line: Int) -> String {
        url.pathExtension == "txt" ? "\(url.lastPathComponent) line \(line)" : "\(url.lastPathComponent) merge \(line)"
    }
}
