import Hummingbird
import ScribaFormats

/// `GET /health` (the process answers) and `GET /ready` (models loaded), on every port.
struct HealthRoutes: Sendable {
    let engines: EngineHost

    var routes: RouteCollection<BasicRequestContext> {
        let routes = RouteCollection(context: BasicRequestContext.self)
        routes.get("health") { _, _ in health() }
        routes.get("ready") { _, _ in try await ready() }
        return routes
    }

    func health() -> Response {
        ResponseJSON.response(.object([("status", .string("ok"))]), audioSeconds: nil)
    }

    /// 200 with the model names and current load, or 503 while loading / after a failed load.
    func ready() async throws -> Response {
        _ = try await engines.readyPipeline()
        let load = await engines.limiter.load
        let body = JSONValue.object([
            ("status", .string("ready")),
            ("models", .array(await engines.modelNames.map { .string($0) })),
            ("running", .int(load.running)),
            ("waiting", .int(load.waiting)),
        ])
        return ResponseJSON.response(body, audioSeconds: nil)
    }
}
