import Foundation
import Testing

@Suite(.serialized)
struct ServeCORSTests {
    static let landing = "https://landing.example.ru"

    @Test func anAllowedOriginGetsAPreflightAndCORSHeadersOthersDoNot() async throws {
        let server = try ServeProcess(settings: ["LEADLEDGER_CORS_ORIGINS": "\(Self.landing), https://other.example.ru"])
        try server.start()
        let preflight = try await server.request(
            "OPTIONS", "/api/leads",
            headers: ["Origin": Self.landing, "Access-Control-Request-Method": "POST"])
        #expect(preflight.status == 204)
        #expect(preflight.headers["access-control-allow-origin"] == Self.landing)
        #expect(preflight.headers["access-control-allow-headers"]?.contains("Idempotency-Key") == true)

        let refused = try await server.request(
            "OPTIONS", "/api/leads", headers: ["Origin": "https://evil.example", "Access-Control-Request-Method": "POST"])
        #expect(refused.status == 403)
        #expect(refused.headers["access-control-allow-origin"] == nil)

        let post = try await server.request(
            "POST", "/api/leads", headers: ["Origin": Self.landing, "Content-Type": "application/json"],
            body: #"{"phone":"+79161234567"}"#)
        #expect(post.status == 201)
        #expect(post.headers["access-control-allow-origin"] == Self.landing)

        let foreign = try await server.request(
            "POST", "/api/leads", headers: ["Origin": "https://evil.example", "Content-Type": "application/json"],
            body: #"{"phone":"+79161234568"}"#)
        #expect(foreign.status == 201)
        #expect(foreign.headers["access-control-allow-origin"] == nil)
        server.stop()
    }

    @Test func withoutAnAllowlistNoCORSHeadersAreSent() async throws {
        let server = try ServeProcess()
        try server.start()
        let post = try await server.request(
            "POST", "/api/leads", headers: ["Origin": Self.landing, "Content-Type": "application/json"],
            body: #"{"phone":"+79161234567"}"#)
        #expect(post.status == 201)
        #expect(post.headers["access-control-allow-origin"] == nil)
        server.stop()
    }
}
