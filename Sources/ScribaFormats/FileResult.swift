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
