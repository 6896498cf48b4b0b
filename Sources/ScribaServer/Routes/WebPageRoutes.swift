import Hummingbird

/// The browser page: `GET /` serves it, `POST /api/transcribe` answers it (same fields as
/// `/transcribe`, always with timestamps, plus rendered SRT and VTT for the download buttons).
struct WebPageRoutes: Sendable {
    let transcribe: TranscribeRoutes

    var routes: RouteCollection<BasicRequestContext> {
        let routes = RouteCollection(context: BasicRequestContext.self)
        routes.get("/") { request, _ in
            page(PageLanguage.preferred(query: request.uri.queryParameters.get("lang"),
                                        acceptLanguage: request.headers[.acceptLanguage]))
        }
        routes.post("api/transcribe") { request, context in
            try await transcribe.transcribe(request, context: context, includeSubtitles: true)
        }
        return routes
    }

    /// The page in `language`; caches must key it by `Accept-Language`.
    func page(_ language: PageLanguage) -> Response {
        var headers: HTTPFields = [.contentType: "text/html; charset=utf-8", .contentLanguage: language.rawValue,
                                   .vary: "Accept-Language"]
        // Everything is inline and same-origin; forbid anything else (blob: scripts: the live mode's
        // AudioWorklet module; 'self' covers the same-origin WebSocket).
        headers[.contentSecurityPolicy] =
            "default-src 'none'; script-src 'unsafe-inline' blob:; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; media-src blob:"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: WebPage.html(language))))
    }
}
