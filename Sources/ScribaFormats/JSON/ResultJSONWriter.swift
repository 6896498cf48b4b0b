import ScribaTranscript

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
            ("alignment", transcript.map { JSONWriter.alignment($0) } ?? .null),
            ("formatted", .object(result.formatted.map { ($0.format, .string($0.contents)) })),
            ("success", .bool(result.error == nil && transcript != nil)),
            ("attempts", .int(result.attempts)),
            ("error", result.error.map(JSONValue.string) ?? .null),
        ]).rendered() + "\n"
    }
}
