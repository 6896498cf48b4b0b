import Foundation

/// What can go wrong configuring or running a Qwen3-ASR / Qwen3-ForcedAligner checkpoint beyond
/// reading its files (those are `ModelLoadError` and `TokenizerError`). Each description says what
/// was wrong and what to do.
public enum Qwen3ASRError: Error, Equatable, Sendable {
    /// config.json is not JSON or lacks a key / has a wrong type (`detail` names the key path).
    case configInvalid(URL, detail: String)
    /// A config value Scriba cannot run as the reference does (`key` is the JSON path).
    case configUnsupported(URL, key: String, value: String, supported: String)
    /// The tokenizer lacks a token the prompt needs (`<|audio_pad|>`, `<|im_end|>`, ...).
    case tokenMissing(token: String, folder: URL)
    /// config.json and the tokenizer disagree on a special token's id.
    case tokenIDMismatch(token: String, config: Int, tokenizer: Int, folder: URL)
    /// The language is not among the checkpoint's `support_languages`.
    case unsupportedLanguage(String, supported: [String])
    /// The input mel tensor is not [melBins, frames].
    case melShape(expected: Int, found: [Int])
    /// The prompt's `<|audio_pad|>` count differs from the encoder rows given (or the prompt is empty).
    case promptAudioMismatch(placeholders: Int, audioRows: Int)
    /// A token id beyond the embedding table.
    case tokenOutOfRange(id: Int, vocabularySize: Int)
    /// The checkpoint is the other Qwen3 model kind (an aligner passed as a recogniser or back).
    case wrongModelKind(folder: URL, expected: String, found: String)
}

extension Qwen3ASRError: LocalizedError, CustomStringConvertible {
    public var description: String {
        switch self {
        case .configInvalid(let url, let detail):
            return "\(url.path): not a usable Qwen3-ASR config (\(detail)). Download config.json again from the model's page."
        case .configUnsupported(let url, let key, let value, let supported):
            return "\(url.lastPathComponent): '\(key)' is \(value), but Scriba supports \(supported) (what the released Qwen3-ASR checkpoints use). Use an official checkpoint."
        case .tokenMissing(let token, let folder):
            return "\(folder.path): the tokenizer has no '\(token)' token, which the Qwen3-ASR prompt needs; the tokenizer files belong to another model. Download the model folder again."
        case .tokenIDMismatch(let token, let config, let tokenizer, let folder):
            return "\(folder.path): config.json says '\(token)' is id \(config), the tokenizer says \(tokenizer); the folder mixes files of different models. Download it again."
        case .unsupportedLanguage(let language, let supported):
            return "language '\(language)' is not supported by this checkpoint. Use auto or one of: \(supported.joined(separator: ", "))."
        case .melShape(let expected, let found):
            return "the audio features are \(found), expected [\(expected), frames]; compute them with LogMel(melBins: \(expected))."
        case .promptAudioMismatch(let placeholders, let rows):
            return "the prompt has \(placeholders) audio placeholders but the encoder produced \(rows) rows; build the prompt with the audio token count of the same clip."
        case .tokenOutOfRange(let id, let size):
            return "token id \(id) is outside the model's \(size)-row embedding table; the tokenizer and the weights come from different models. Download the model folder again."
        case .wrongModelKind(let folder, let expected, let found):
            return "\(folder.path) holds a \(found) checkpoint, not a \(expected). Pass the \(expected) model folder."
        }
    }
    public var errorDescription: String? { description }
}
