import Foundation
import Hummingbird
import Logging

/// Outermost middleware of every server: turns anything a handler throws into the one JSON error
/// shape (`APIError`), then logs method, path, status, duration and audio seconds.
struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            // The router's own 404 carries no text; say which endpoints exist.
            response = APIError(ServerError.notFound(method: request.method.rawValue, path: request.uri.path)).response()
        } catch {
            response = APIError(error).response()
        }
        let elapsed = start.duration(to: .now)
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        var metadata: Logger.Metadata = [
            "method": .string(request.method.rawValue),
            "path": .string(request.uri.path),
            "status": .stringConvertible(response.status.code),
            "ms": .string(String(format: "%.1f", milliseconds)),
        ]
        if let seconds = response.headers[ResponseJSON.audioSecondsHeader] { metadata["audio_s"] = .string(seconds) }
        context.logger.info("request", metadata: metadata)
        return response
    }
}
