import Hummingbird

/// Checks `Authorization: Bearer <key>` when the server was started with an API key. The health
/// probes and the web page's HTML stay open: orchestrators poll them, and the page has to load
/// before the user can type the key into it.
struct APIKeyMiddleware<Context: RequestContext>: RouterMiddleware {
    let key: [UInt8]

    init(key: String) {
        self.init(key: key, acceptsQueryKey: false)
    }

    static func isOpen(_ request: Request) -> Bool {
        guard request.method == .get || request.method == .head else { return false }
        return ["/health", "/ready", "/"].contains(request.uri.path)
    }

    /// Browsers cannot set headers on a WebSocket: the upgrade to `/v1/realtime` may carry the key
    /// as `?api_key=` instead.
    let acceptsQueryKey: Bool

    init(key: String, acceptsQueryKey: Bool) {
        self.key = Array(key.utf8)
        self.acceptsQueryKey = acceptsQueryKey
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if Self.isOpen(request) { return try await next(request, context) }
        let queryKey = acceptsQueryKey ? request.uri.queryParameters.get("api_key") : nil
        guard let sent = Self.bearerToken(request.headers[.authorization]) ?? queryKey else {
            throw ServerError.unauthorized(sentKey: false)
        }
        guard Self.constantTimeEquals(Array(sent.utf8), key) else { throw ServerError.unauthorized(sentKey: true) }
        return try await next(request, context)
    }

    /// The token of `Bearer <token>` (scheme case-insensitive), nil for anything else.
    static func bearerToken(_ header: String?) -> String? {
        guard let header else { return nil }
        let trimmed = header.trimmingCharacters(in: .whitespaces)
        guard trimmed.count > 7, trimmed.prefix(7).lowercased() == "bearer " else { return nil }
        let token = trimmed.dropFirst(7).trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }

    /// Time depends only on `expected.count`, never on where the first differing byte is, so a
    /// caller cannot guess the key byte by byte from response times.
    static func constantTimeEquals(_ sent: [UInt8], _ expected: [UInt8]) -> Bool {
        var difference: UInt8 = sent.count == expected.count ? 0 : 1
        for index in 0..<expected.count {
            let byte = index < sent.count ? sent[index] : 0
            difference |= byte ^ expected[index]
        }
        return difference == 0
    }
}
