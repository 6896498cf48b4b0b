import Hummingbird
import HummingbirdWebSocket
import Logging

/// `GET /v1/realtime` (WebSocket upgrade) on the ASR port and the web page's port: vLLM's realtime
/// transcription protocol over the served engine (see RealtimeEvents.swift). Its own router: the
/// upgrade is decided before the HTTP routes, and the API key is checked here too (as a header, or
/// `?api_key=` from a browser).
struct RealtimeRoutes: Sendable {
    let engines: EngineHost
    let limits: RealtimeLimits
    let apiKey: String?

    init(engines: EngineHost, limits: RealtimeLimits, apiKey: String?) {
        self.engines = engines
        self.limits = limits
        self.apiKey = apiKey
    }

    static let path = "v1/realtime"

    var router: Router<BasicWebSocketRequestContext> {
        let router = Router(context: BasicWebSocketRequestContext.self)
        if let apiKey { router.add(middleware: APIKeyMiddleware(key: apiKey, acceptsQueryKey: true)) }
        router.ws(RouterPath(Self.path)) { inbound, outbound, context in
            await RealtimeConnection(engines: engines, limits: limits, slots: engines.streamSlots, logger: context.logger)
                .run(inbound: inbound, outbound: outbound)
        }
        return router
    }

    /// The WebSocket side's settings: frames and messages up to `maxMessageBytes` (larger: 1009),
    /// a ping every idle period (a client that never answers is dropped), a short close handshake.
    var webSocketConfiguration: WebSocketServerConfiguration {
        let idle = Duration.milliseconds(Int64(limits.idleTimeoutSeconds * 1000))
        return WebSocketServerConfiguration(maxFrameSize: limits.maxMessageBytes, autoPing: .enabled(timePeriod: idle),
                                            closeTimeout: .seconds(5))
    }
}
