import Hummingbird
import Logging

/// The three servers `scriba serve` runs. The executable and the tests build them with these
/// functions; all three share one `EngineHost` (models loaded once, one concurrency limit).
public typealias ScribaApplication = Application<RouterResponder<BasicRequestContext>>

/// ASR port: `POST /transcribe`, `POST /v1/audio/transcriptions`, `GET /v1/models`, health.
public func buildASRApplication(configuration: ServerConfiguration, engines: EngineHost, logger: Logger) -> ScribaApplication {
    let router = baseRouter(engines: engines)
    router.addRoutes(TranscribeRoutes(engines: engines, maxUploadBytes: configuration.maxUploadBytes).routes)
    router.addRoutes(OpenAIRoutes(engines: engines, maxUploadBytes: configuration.maxUploadBytes).routes)
    return application(router, configuration, name: "scriba-asr", logger: logger)
}

/// Aligner port: `POST /align`, health.
public func buildAlignApplication(configuration: ServerConfiguration, engines: EngineHost, logger: Logger) -> ScribaApplication {
    let router = baseRouter(engines: engines)
    router.addRoutes(AlignRoutes(engines: engines, maxUploadBytes: configuration.maxUploadBytes).routes)
    return application(router, configuration, name: "scriba-align", logger: logger)
}

/// Web page port: `GET /`, `POST /api/transcribe` (the in-process recogniser, so no CORS), health.
public func buildUIApplication(configuration: ServerConfiguration, engines: EngineHost, logger: Logger) -> ScribaApplication {
    let router = baseRouter(engines: engines)
    let transcribe = TranscribeRoutes(engines: engines, maxUploadBytes: configuration.maxUploadBytes)
    router.addRoutes(WebPageRoutes(transcribe: transcribe).routes)
    return application(router, configuration, name: "scriba-ui", logger: logger)
}

private func baseRouter(engines: EngineHost) -> Router<BasicRequestContext> {
    let router = Router(context: BasicRequestContext.self)
    // First, so it wraps every route and the router's own 404.
    router.add(middleware: RequestLogMiddleware())
    router.addRoutes(HealthRoutes(engines: engines).routes)
    return router
}

private func application(_ router: Router<BasicRequestContext>, _ configuration: ServerConfiguration,
                         name: String, logger: Logger) -> ScribaApplication {
    var logger = logger
    logger[metadataKey: "server"] = .string(name)
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Scriba"),
        logger: logger)
}
