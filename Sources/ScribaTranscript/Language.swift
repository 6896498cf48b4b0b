import Foundation

/// A spoken language as the CLI and APIs name it (ISO-style code) and as Qwen3-ASR names it
/// (English name, used in its prompt and output: "language Chinese<asr_text>...").
public struct Language: Sendable, Hashable, CustomStringConvertible {
    public let code: String
    public let name: String

    public init(code: String, name: String) {
        self.code = code
        self.name = name
    }

    public var description: String { code }

    /// Languages Qwen3-ASR lists; a checkpoint's `support_languages` narrows this at load time.
    /// Whisper codes that are not here are accepted by the Whisper engine through its own table.
    public static let known: [Language] = [
        ("zh", "Chinese"), ("en", "English"), ("yue", "Cantonese"), ("ja", "Japanese"),
        ("ko", "Korean"), ("ar", "Arabic"), ("de", "German"), ("fr", "French"), ("es", "Spanish"),
        ("pt", "Portuguese"), ("id", "Indonesian"), ("it", "Italian"), ("ru", "Russian"),
        ("th", "Thai"), ("vi", "Vietnamese"), ("tr", "Turkish"), ("hi", "Hindi"), ("ms", "Malay"),
        ("nl", "Dutch"), ("sv", "Swedish"), ("da", "Danish"), ("fi", "Finnish"), ("pl", "Polish"),
        ("cs", "Czech"), ("fil", "Filipino"), ("fa", "Persian"), ("el", "Greek"),
        ("hu", "Hungarian"), ("mk", "Macedonian"), ("ro", "Romanian"),
    ].map { Language(code: $0.0, name: $0.1) }

    /// Looks up a code ("zh") or an English name ("Chinese"), case-insensitively.
    /// `nil` for "auto" (detect); throws for anything unknown, listing what is accepted.
    public static func parse(_ text: String) throws -> Language? {
        let key = text.trimmingCharacters(in: .whitespaces).lowercased()
        if key == "auto" || key.isEmpty { return nil }
        if let match = known.first(where: { $0.code == key || $0.name.lowercased() == key }) {
            return match
        }
        throw LanguageError.unknown(text)
    }

    /// Codes of languages written without spaces between words (Lao and Burmese are Whisper's).
    public static let spacelessCodes: Set<String> = ["zh", "yue", "ja", "th", "lo", "my"]

    /// Words are separated by spaces: a bare space is never a token of its own in its text.
    public var isWrittenWithSpaces: Bool { !Self.spacelessCodes.contains(code) }

    public static func named(_ name: String) -> Language? {
        known.first { $0.name.lowercased() == name.lowercased() }
    }
}

public enum LanguageError: Error, Equatable, LocalizedError, CustomStringConvertible {
    case unknown(String)

    public var description: String {
        switch self {
        case .unknown(let text):
            let codes = Language.known.map(\.code).joined(separator: ", ")
            return "unknown language '\(text)'. Use auto or one of: \(codes)."
        }
    }
    public var errorDescription: String? { description }
}
