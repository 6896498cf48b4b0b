/// Bounds on `/v1/realtime` streams (`scriba serve --max-streams`, `--stream-idle-seconds`,
/// `--max-message-kb`).
public struct RealtimeLimits: Sendable, Equatable {
    /// Streams open at once; one more is refused with close code 1013 (try again later).
    public var maxStreams: Int
    /// A client that sends nothing (audio, commit, pong) this long is closed with 1008.
    public var idleTimeoutSeconds: Double
    /// Largest WebSocket message (and frame) accepted; a larger one is closed with 1009.
    public var maxMessageBytes: Int

    /// 1 MiB holds ~24 s of base64 PCM16 at 16 kHz: far more than any client sends per append.
    public static let defaultMaxMessageBytes = 1 << 20
    public static let defaultMaxStreams = 4
    public static let defaultIdleTimeoutSeconds = 30.0

    public init(maxStreams: Int = defaultMaxStreams, idleTimeoutSeconds: Double = defaultIdleTimeoutSeconds,
                maxMessageBytes: Int = defaultMaxMessageBytes) {
        self.maxStreams = maxStreams
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.maxMessageBytes = maxMessageBytes
    }
}

/// Counts open streams against `RealtimeLimits.maxStreams`; one per `EngineHost`, so the ASR
/// and web page ports share the limit.
public actor StreamSlots {
    private(set) var open = 0

    public init() {}

    func acquire(capacity: Int) -> Bool {
        guard open < capacity else { return false }
        open += 1
        return true
    }

    func release() { open = max(0, open - 1) }
}
