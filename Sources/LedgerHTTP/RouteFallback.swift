import HTTPTypes
import Hummingbird

/// What no route takes, answered in JSON like every other error: `405 Method Not Allowed` with `Allow` when the path
/// is a route's and only the method is wrong, `404` otherwise.
///
/// Hummingbird answers both with an empty `404`, which breaks the promise every client and `schemas/openapi.yaml`
/// rely on (an error is `{"error": …}`), and a `404` for `GET /api/leads` reads as "wrong URL" to whoever wires a
/// form, when the URL is right and the method is not. Added to the router after every route, so it wraps only the
/// not-found responder.
struct RouteFallback<Context: RequestContext>: RouterMiddleware {
    /// Route patterns (`/api/admin/leads/{id}`) and the methods each takes.
    let routes: [(pattern: [Substring], methods: [HTTPRequest.Method])]

    init(routes: [(path: String, method: HTTPRequest.Method)]) {
        var table: [String: [HTTPRequest.Method]] = [:]
        for route in routes { table[route.path, default: []].append(route.method) }
        self.routes = table.sorted { $0.key < $1.key }.map { path, methods in
            (path.split(separator: "/"), methods.sorted { $0.rawValue < $1.rawValue })
        }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let allowed = methods(for: request.uri.path)
            guard !allowed.isEmpty else { return JSONResponse.error(.notFound, "no such route") }
            let allow = allowed.map(\.rawValue).joined(separator: ", ")
            return JSONResponse.error(
                .methodNotAllowed, "\(request.method.rawValue) is not allowed here; use \(allow)", headers: [.allow: allow])
        }
    }

    /// The methods of the route whose pattern matches `path` segment by segment (`{name}` matches any one segment),
    /// as the router splits it: empty segments are ignored, so `/api/health/` is `/api/health`.
    func methods(for path: String) -> [HTTPRequest.Method] {
        let segments = path.split(separator: "/")
        for route in routes where route.pattern.count == segments.count {
            let matches = zip(route.pattern, segments).allSatisfy { pattern, segment in
                pattern.hasPrefix("{") || pattern == segment
            }
            if matches { return route.methods }
        }
        return []
    }
}
