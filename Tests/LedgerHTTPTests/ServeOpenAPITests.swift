import Foundation
import LedgerTesting
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `GET /openapi.yaml` through the real server, and the routing answers the document promises: every documented path
/// takes exactly the documented methods, and what no route takes is a JSON `404` or `405`.
@Suite(.serialized)
struct ServeOpenAPITests {
    static let documentPath = packageRoot.appendingPathComponent("schemas/openapi.yaml").path

    private func fetch(_ server: ServeProcess, _ method: String, _ path: String) async throws
        -> (status: Int, headers: [String: String], body: Data)
    {
        let url = try #require(URL(string: "http://127.0.0.1:\(server.port)\(path)"))
        var request = URLRequest(url: url)
        request.httpMethod = method
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        var headers: [String: String] = [:]
        for (name, value) in http.allHeaderFields {
            if let name = name as? String, let value = value as? String { headers[name.lowercased()] = value }
        }
        return (http.statusCode, headers, data)
    }

    /// The methods under each path of the document's `paths:` section, read by indentation: the file keeps paths at
    /// two spaces and methods at four (`tools/chaos/api_contract.py` validates it as OpenAPI 3.1 with a real parser).
    private func documentedRoutes() throws -> [String: Set<String>] {
        let text = try String(contentsOfFile: Self.documentPath, encoding: .utf8)
        var routes: [String: Set<String>] = [:]
        var inPaths = false
        var current: String?
        let methods: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if !line.hasPrefix(" ") && !line.hasPrefix("#") && !line.isEmpty { inPaths = line == "paths:" }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), line.hasSuffix(":"), !line.hasPrefix("   ") {
                current = String(line.dropFirst(2).dropLast())
            } else if let path = current, line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":") {
                let name = String(line.dropFirst(4).dropLast())
                if methods.contains(name) { routes[path, default: []].insert(name.uppercased()) }
            }
        }
        return routes
    }

    @Test func theServedDocumentIsSchemasOpenAPIYamlByteForByte() async throws {
        let server = try ServeProcess()
        try server.start()
        let (status, headers, body) = try await fetch(server, "GET", "/openapi.yaml")
        #expect(status == 200)
        #expect(headers["content-type"] == "application/yaml; charset=utf-8")
        let file = try Data(contentsOf: URL(fileURLWithPath: Self.documentPath))
        #expect(
            body == file,
            """
            GET /openapi.yaml (\(body.count) bytes) differs from schemas/openapi.yaml (\(file.count) bytes): the binary \
            embeds a stale copy. Run `make openapi` (python3 tools/openapi_embed.py) to regenerate \
            Sources/LedgerHTTP/OpenAPIDocument.swift from the YAML, then rebuild.
            """)
        #expect(server.stop() == 0)
    }

    @Test func everyDocumentedPathTakesExactlyTheDocumentedMethods() async throws {
        let routes = try documentedRoutes()
        #expect(routes.count >= 10, "paths read from schemas/openapi.yaml: \(routes.keys.sorted())")
        let server = try ServeProcess()
        try server.start()
        for (path, methods) in routes {
            let concrete = path.replacingOccurrences(of: "{id}", with: "01a22591-7bf3-749e-8b18-d18e0a1ac69d")
            let (status, headers, body) = try await fetch(server, "PATCH", concrete)
            #expect(status == 405, "PATCH \(path)")
            let allowed = Set((headers["allow"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
            #expect(allowed == methods, "Allow of \(path) is \(allowed.sorted()), the document says \(methods.sorted())")
            let error = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any]
            #expect(error?["error"] is String, "405 of \(path) is JSON with an error")
        }
        #expect(server.stop() == 0)
    }

    /// Regression: Hummingbird answered a wrong method and an unknown path alike with an empty `404` (no JSON, no
    /// `Allow`), found by schemathesis's `unsupported_method` check.
    @Test func aWrongMethodIs405WithAllowAndAnUnknownPathAJSON404() async throws {
        let server = try ServeProcess()
        try server.start()
        let get = try await fetch(server, "GET", "/api/leads")
        #expect(get.status == 405)
        #expect(get.headers["allow"] == "OPTIONS, POST")
        #expect(get.headers["content-type"] == "application/json; charset=utf-8")
        let delete = try await fetch(server, "DELETE", "/api/admin/leads/not-even-an-id")
        #expect(delete.status == 405)
        #expect(delete.headers["allow"] == "GET")
        let trailing = try await fetch(server, "POST", "/api/health/")
        #expect(trailing.status == 405)
        #expect(trailing.headers["allow"] == "GET")
        for path in ["/nope", "/api/leads/extra", "/api/admin/leads", "/api/admin/leads/x/requeue/more"] {
            let (status, headers, body) = try await fetch(server, "GET", path)
            #expect(status == 404, "\(path)")
            #expect(headers["content-type"] == "application/json; charset=utf-8", "\(path)")
            let error = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any]
            #expect(error?["error"] as? String == "no such route", "\(path)")
        }
        #expect(server.stop() == 0)
    }
}
