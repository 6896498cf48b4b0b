// Settings shared by the ASR, aligner and UI applications (filled by `scriba serve`).

public struct ServerConfiguration: Sendable, Equatable {
    public var host: String
    public var port: Int
    /// Largest accepted upload, in bytes.
    public var maxUploadBytes: Int

    public init(host: String = "127.0.0.1", port: Int, maxUploadBytes: Int = 50 * 1024 * 1024) {
        self.host = host
        self.port = port
        self.maxUploadBytes = maxUploadBytes
    }
}
