import HTTPTypes
import Hummingbird

/// CORS for browser `fetch()` posts from the owner's landing pages: only origins on the allowlist get CORS headers,
/// and a preflight from any other origin is refused. With an empty allowlist nothing changes (plain HTML forms and
/// server-to-server posts need no CORS).
struct CORSAllowlist<Context: RequestContext>: RouterMiddleware {
    /// Exact origins, e.g. `https://landing.example.ru` (`LEADLEDGER_CORS_ORIGINS`, comma-separated).
    let origins: Set<String>
    /// How long a browser may cache a preflight answer. Default 600 s.
    let maxAgeSeconds: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response
    {
        guard !origins.isEmpty, let origin = request.headers[.origin] else {
            return try await next(request, context)
        }
        let allowed = origins.contains(origin)
        if request.method == .options {
            guard allowed else {
                return JSONResponse.error(.forbidden, "origin not allowed", field: "Origin")
            }
            return Response(
                status: .noContent,
                headers: [
                    .accessControlAllowOrigin: origin, .vary: "Origin", .accessControlAllowMethods: "POST, OPTIONS",
                    .accessControlAllowHeaders: "Content-Type, Idempotency-Key", .accessControlMaxAge: "\(maxAgeSeconds)",
                ])
        }
        var response = try await next(request, context)
        if allowed {
            response.headers[.accessControlAllowOrigin] = origin
            response.headers[.vary] = "Origin"
        }
        return response
    }
}
