// Settings shared by the ASR, aligner and UI applications (filled by `scriba serve`).

public struct ServerConfiguration: Sendable, Equatable {
    public var host: String
    public var port: Int
    /// Largest accepted upload, in bytes.
    public var maxUploadBytes: Int
    /// When set, every endpoint but the health probes and the page itself needs
    /// `Authorization: Bearer <apiKey>`.
    public var apiKey: String?
    /// When set, browsers on this origin (or `*`) may call the APIs cross-origin; off by default.
    public var corsOrigin: String?
    /// A connection that has not sent a complete request head (or sits idle between requests)
    /// this long is closed, so trickled headers cannot hold a connection open.
    public var idleTimeoutSeconds: Int
    /// Live-caption streams on `/v1/realtime` (ASR port).
    public var realtime: RealtimeLimits

    public init(host: String = "127.0.0.1", port: Int, maxUploadBytes: Int = 50 * 1024 * 1024,
                apiKey: String? = nil, corsOrigin: String? = nil, idleTimeoutSeconds: Int = 30,
                realtime: RealtimeLimits = .init()) {
        self.host = host
        self.port = port
        self.maxUploadBytes = maxUploadBytes
        self.apiKey = apiKey
        self.corsOrigin = corsOrigin
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.realtime = realtime
    }
}
