import ScribaTranscript

/// One input's outcome as the original Python pipeline wrote it beside its outputs
/// (`{stem}_result.json`), so scripts that read those files work unchanged.
public struct FileResult: Sendable {
    /// The input's file name.
    public var file: String
    /// The audio's length; nil when it could not be decoded.
    public var duration: Double?
    /// nil when the file failed.
    public var transcript: Transcript?
    /// What the other formats of the run wrote, by format name ("srt" → the SRT text), in order.
    public var formatted: [(format: String, contents: String)]
    /// Runs that have tried this file since it last succeeded, this one included.
    public var attempts: Int
    /// Why it failed; nil on success.
    public var error: String?

    public init(file: String, duration: Double?, transcript: Transcript?, formatted: [(format: String, contents: String)] = [],
                attempts: Int = 1, error: String? = nil) {
        self.file = file
        self.duration = duration
        self.transcript = transcript
        self.formatted = formatted
        self.attempts = attempts
        self.error = error
    }
}

/// `{stem}_result.json`:
///
/// ```
/// { "file": "talk.wav", "duration": 7.100,
///   "language": "English", "language_code": "en",   // the model's name, as the original; null on failure
///   "transcription": "...",                          // the whole text; null on failure
///   "alignment": {"words": [...], "sentences": [...]} | null,   // as in the JSON format
///   "formatted": {"srt": "...", ...},                // what the run's other formats wrote
///   "success": true, "attempts": 1, "error": null }
/// ```
public enum ResultJSONWriter {
    /// The `--format` name that asks for it.
    public static let formatName = "result"
    /// Saved as `<stem>_result.json`, the original's name (not `<stem>.result.json`).
    public static let separator = "_"
    public static let fileExtension = "result.json"

    public static func render(_ result: FileResult) -> String {
        let transcript = result.transcript
        return JSONValue.object([
            ("file", .string(result.file)),
            ("duration", result.duration.map(JSONValue.seconds) ?? .null),
            ("language", transcript.map { .string($0.languageName) } ?? .null),
            ("language_code", transcript.map { .string($0.language) } ?? .null),
            ("transcription", transcript.map { .string($0.text) } ?? .null),
            ("alignment", transcript.map(JSONWriter.alignment) ?? .null),
            ("formatted", .object(result.formatted.map { ($0.format, .string($0.contents)) })),
            ("success", .bool(result.error == nil && transcript != nil)),
            ("attempts", .int(result.attempts)),
            ("error", result.error.map(JSONValue.string) ?? .null),
        ]).rendered() + "\n"
    }
}
