import Foundation
import LedgerCore
import LedgerStore
import LedgerTesting
import Testing

/// Plain HTML forms from landing pages: the honeypot that records bots as spam, and the `303` to a thank-you page.
@Suite(.serialized)
struct ServeFormTests {
    static let form = "application/x-www-form-urlencoded"
    static let thanks = "https://landing.example.ru/thanks"

    /// Posts over a raw socket: URLSession would follow the 303 to a host that does not exist.
    private func rawPost(_ server: ServeProcess, _ body: String, contentType: String = form) throws -> (
        status: Int, headers: [String: String], body: String
    ) {
        let client = try RawHTTPClient(port: server.port)
        defer { client.close() }
        try client.send(
            "POST /api/leads HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: \(contentType)\r\n"
                + "Content-Length: \(body.utf8.count)\r\n\r\n" + body)
        let text = client.readAll()
        let parts = text.components(separatedBy: "\r\n\r\n")
        let head = parts[0].components(separatedBy: "\r\n")
        let status = Int(head[0].split(separator: " ").dropFirst().first ?? "") ?? -1
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return (status, headers, parts.dropFirst().joined(separator: "\r\n\r\n"))
    }

    private func receivedEvents(_ server: ServeProcess) throws -> [LeadReceived] {
        try EventLog.open(path: server.dbPath).events(EventQuery(limit: 100)).compactMap {
            if case .leadReceived(let received) = try $0.decode() { return received }
            return nil
        }
    }

    /// The detailed health's queue once the projector (every 500 ms) has folded `leads` leads; waits at most 10 s.
    private func projectedQueue(_ server: ServeProcess, leads: Int) async throws -> [String: Any] {
        for _ in 0..<100 {
            let (_, health) = try await server.get("/api/health/detailed")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(health.utf8)) as? [String: Any])
            let queue = try #require(json["queue"] as? [String: Any])
            let total = ["pending", "in_flight", "synced", "dead", "spam"].compactMap { queue[$0] as? Int }.reduce(0, +)
            if total >= leads { return queue }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw HarnessError(message: "the projector did not fold \(leads) leads within 10 s")
    }

    @Test func aFilledHoneypotIsRecordedAsSpamAnsweredLikeAPersonAndNeverQueued() async throws {
        let server = try ServeProcess(settings: ["LEADLEDGER_HONEYPOT_FIELD": "website"])
        try server.start()
        let bot = try await server.post(
            "name=Bot&phone=%2B79161234567&website=http%3A%2F%2Fspam.example", contentType: Self.form)
        let person = try await server.post(#"{"phone":"+79161234568","website":""}"#)
        #expect(bot.status == 201)
        #expect(bot.json["status"] as? String == "accepted")
        #expect(person.status == 201)
        let queue = try await projectedQueue(server, leads: 2)
        server.stop()
        let received = try receivedEvents(server)
        #expect(received.map(\.spam) == [.honeypot, nil])
        let log = try EventLog.open(path: server.dbPath)
        // The honeypot's value is never kept, even for spam.
        #expect(try log.personalData(of: received[0]) == .available(PersonalData(name: "Bot", phone: "+79161234567")))
        #expect(queue["spam"] as? Int == 1)
        #expect(queue["pending"] as? Int == 1)
    }

    @Test func aRealLeadIsNotSwallowedAsADoubleSubmissionOfABotWithTheSameContact() async throws {
        let server = try ServeProcess(settings: ["LEADLEDGER_HONEYPOT_FIELD": "website"])
        try server.start()
        let bot = try await server.post(#"{"phone":"+79161234567","website":"x"}"#)
        let person = try await server.post(#"{"phone":"+79161234567"}"#)
        server.stop()
        #expect(bot.status == 201)
        #expect(person.status == 201)
        #expect(person.json["lead_id"] as? String != bot.json["lead_id"] as? String)
        #expect(try receivedEvents(server).map(\.spam) == [.honeypot, nil])
    }

    @Test func withTheHoneypotOffTheFieldIsKeptLikeAnyOther() async throws {
        let server = try ServeProcess(settings: ["LEADLEDGER_HONEYPOT_FIELD": "off"])
        try server.start()
        #expect(try await server.post(#"{"phone":"+79161234567","_honeypot":"x"}"#).status == 201)
        server.stop()
        let received = try #require(try receivedEvents(server).first)
        #expect(received.spam == nil)
        let personal = try EventLog.open(path: server.dbPath).personalData(of: received)
        #expect(personal == .available(PersonalData(phone: "+79161234567", extra: ["_honeypot": "x"])))
    }

    @Test func aPlainFormIsRedirectedToTheThankYouPageAfterTheLeadIsRecorded() async throws {
        let server = try ServeProcess(settings: ["LEADLEDGER_FORM_REDIRECT_URL": Self.thanks])
        try server.start()
        let answer = try rawPost(server, "name=%D0%90%D0%BD%D0%BD%D0%B0&phone=%2B79161234567")
        #expect(answer.status == 303)
        #expect(answer.headers["location"] == Self.thanks)
        // The same form again within the double-submission window: still the thank-you page, still one lead.
        #expect(try rawPost(server, "name=%D0%90%D0%BD%D0%BD%D0%B0&phone=%2B79161234567").status == 303)
        // A fetch() with JSON gets the receipt, never a redirect.
        let json = try rawPost(server, #"{"phone":"+79161234568"}"#, contentType: "application/json")
        #expect(json.status == 201)
        #expect(json.body.contains("\"lead_id\""))
        server.stop()
        #expect(try receivedEvents(server).count == 2)
    }

    @Test func aFormsOwnRedirectIsFollowedOnlyOnAnAllowedOrigin() async throws {
        let server = try ServeProcess(settings: [
            "LEADLEDGER_FORM_REDIRECT_URL": Self.thanks,
            "LEADLEDGER_REDIRECT_ORIGINS": "https://promo.example.ru",
        ])
        try server.start()
        let allowed = try rawPost(server, "phone=%2B79161234567&_redirect=https%3A%2F%2Fpromo.example.ru%2Fspasibo%3Fa%3D1")
        #expect(allowed.status == 303)
        #expect(allowed.headers["location"] == "https://promo.example.ru/spasibo?a=1")
        let sameOriginAsDefault = try rawPost(server, "phone=%2B79161234568&_redirect=https%3A%2F%2Flanding.example.ru%2Fok")
        #expect(sameOriginAsDefault.headers["location"] == "https://landing.example.ru/ok")
        // An open redirect is refused, but the lead is still recorded and the visitor still sees the thank-you page.
        for hostile in [
            "https%3A%2F%2Fevil.example%2F", "https%3A%2F%2Fpromo.example.ru%40evil.example%2F", "javascript%3Aalert(1)",
            "%2F%2Fevil.example",
        ] {
            let refused = try rawPost(server, "email=a\(hostile.count)%40example.ru&_redirect=\(hostile)")
            #expect(refused.status == 303)
            #expect(refused.headers["location"] == Self.thanks)
        }
        server.stop()
        #expect(try receivedEvents(server).count == 6)
    }

    @Test func withoutAThankYouPageAFormGetsTheJSONReceiptAndErrorsStayJSON() async throws {
        let server = try ServeProcess(settings: ["LEADLEDGER_REDIRECT_ORIGINS": "https://promo.example.ru"])
        try server.start()
        let refusedRedirect = try rawPost(server, "phone=%2B79161234567&_redirect=https%3A%2F%2Fevil.example%2F")
        #expect(refusedRedirect.status == 201)
        #expect(refusedRedirect.body.contains("\"lead_id\""))
        let allowed = try rawPost(server, "phone=%2B79161234568&_redirect=https%3A%2F%2Fpromo.example.ru%2Fok")
        #expect(allowed.status == 303)
        let invalid = try rawPost(server, "name=NoContact&_redirect=https%3A%2F%2Fpromo.example.ru%2Fok")
        #expect(invalid.status == 422)
        #expect(invalid.body.contains("\"error\""))
        server.stop()
        #expect(try receivedEvents(server).count == 2)
    }
}
