import Hummingbird
import HummingbirdWebSocket
import NIOCore
import Logging

/// The three servers `scriba serve` runs. The executable and the tests build them with these
/// functions; all three share one `EngineHost` (models loaded once, one concurrency limit).
public typealias ScribaApplication = Application<RouterResponder<BasicRequestContext>>

/// ASR port: `POST /transcribe`, `POST /v1/audio/transcriptions`, `GET /v1/models`, health, and
/// the live-caption WebSocket `/v1/realtime`.
public func buildASRApplication(configuration: ServerConfiguration, engines: EngineHost, logger: Logger) -> ScribaApplication {
    let router = baseRouter(configuration, engines: engines)
    router.addRoutes(TranscribeRoutes(engines: engines, maxUploadBytes: configuration.maxUploadBytes).routes)
    router.addRoutes(OpenAIRoutes(engines: engines, maxUploadBytes: configuration.maxUploadBytes).routes)
    let realtime = RealtimeRoutes(engines: engines, limits: configuration.realtime, apiKey: configuration.apiKey)
    return application(router, configuration, name: "scriba-asr", logger: logger, webSocket: realtime)
}

/// Aligner port: `POST /align`, health.
public func buildAlignApplication(configuration: ServerConfiguration, engines: EngineHost, logger: Logger) -> ScribaApplication {
    let router = baseRouter(configuration, engines: engines)
    router.addRoutes(AlignRoutes(engines: engines, maxUploadBytes: configuration.maxUploadBytes).routes)
    return application(router, configuration, name: "scriba-align", logger: logger)
}

/// Web page port: `GET /`, `POST /api/transcribe` (the in-process recogniser, so no CORS), health,
/// and `/v1/realtime` for the page's live mode (same origin).
public func buildUIApplication(configuration: ServerConfiguration, engines: EngineHost, logger: Logger) -> ScribaApplication {
    let router = baseRouter(configuration, engines: engines)
    let transcribe = TranscribeRoutes(engines: engines, maxUploadBytes: configuration.maxUploadBytes)
    router.addRoutes(WebPageRoutes(transcribe: transcribe).routes)
    let realtime = RealtimeRoutes(engines: engines, limits: configuration.realtime, apiKey: configuration.apiKey)
    return application(router, configuration, name: "scriba-ui", logger: logger, webSocket: realtime)
}

private func baseRouter(_ configuration: ServerConfiguration, engines: EngineHost) -> Router<BasicRequestContext> {
    let router = Router(context: BasicRequestContext.self)
    // CORS outermost: it answers preflights itself and sees only responses, never thrown errors
    // (which it would wrap and strip of their JSON body). Off unless --cors-origin is given.
    if let origin = configuration.corsOrigin {
        router.add(middleware: CORSMiddleware(
            allowOrigin: origin == "*" ? .all : .oneOf(origin),
            allowHeaders: [.accept, .authorization, .contentType, .origin],
            allowMethods: [.get, .post, .head, .options],
            exposedHeaders: ["Retry-After", ResponseJSON.audioSecondsHeader.canonicalName]))
    }
    // Then the log, so it wraps every route, the key check and the router's own 404.
    router.add(middleware: RequestLogMiddleware())
    if let key = configuration.apiKey { router.add(middleware: APIKeyMiddleware(key: key)) }
    router.addRoutes(HealthRoutes(engines: engines).routes)
    return router
}

private func application(_ router: Router<BasicRequestContext>, _ configuration: ServerConfiguration,
                         name: String, logger: Logger, webSocket: RealtimeRoutes? = nil) -> ScribaApplication {
    var logger = logger
    logger[metadataKey: "server"] = .string(name)
    let address = BindAddress.hostname(configuration.host, port: configuration.port)
    let idleTimeout = TimeAmount.seconds(Int64(configuration.idleTimeoutSeconds))
    if let webSocket {
        return Application(
            router: router,
            server: .http1WebSocketUpgrade(webSocketRouter: webSocket.router,
                                           configuration: .init(http1: .init(idleTimeout: idleTimeout), ws: webSocket.webSocketConfiguration),
                                           headDeadline: idleTimeout),
            configuration: .init(address: address, serverName: "Scriba"),
            logger: logger)
    }
    return Application(
        router: router,
        server: .http1(configuration: .init(idleTimeout: .init(idleTimeout))),
        configuration: .init(address: address, serverName: "Scriba"),
        logger: logger)
}
