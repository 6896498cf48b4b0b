import Foundation

/// What can go wrong running Whisper (loading problems with files are `ModelLoadError`).
public enum WhisperError: Error, Equatable, Sendable {
    /// config.json / the weights describe an impossible model.
    case invalidConfig(String)
    /// The mel spectrogram handed to the engine has the wrong number of bins.
    case melBinsMismatch(expected: Int, found: Int)
    /// A language code Whisper's vocabulary does not have.
    case unknownLanguage(String, known: [String])
    /// The vocabulary lacks a special token the decoder needs.
    case specialTokenMissing(String)
    /// The prompt plus generated tokens would pass the decoder's position table.
    case sequenceTooLong(tokens: Int, limit: Int)
}

extension WhisperError: LocalizedError, CustomStringConvertible {
    public var description: String {
        switch self {
        case .invalidConfig(let why):
            return "Whisper model configuration is invalid: \(why). The model folder is damaged or not a Whisper model; download it again."
        case let .melBinsMismatch(expected, found):
            return "the log-mel input has \(found) bins but this Whisper model takes \(expected); compute it with LogMel(melBins: \(expected))."
        case let .unknownLanguage(code, known):
            return "Whisper does not know the language '\(code)'; pass one of: \(known.joined(separator: ", ")), or omit it to detect the language."
        case .specialTokenMissing(let token):
            return "the Whisper tokenizer has no '\(token)' token; tokenizer.json does not belong to a Whisper model. Download the model again."
        case let .sequenceTooLong(tokens, limit):
            return "a Whisper decoding step needs \(tokens) positions but the model has \(limit); shorten the prompt."
        }
    }
    public var errorDescription: String? { description }
}
