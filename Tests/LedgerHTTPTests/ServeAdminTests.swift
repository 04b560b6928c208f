import Foundation
import LedgerCore
import LedgerStore
import LedgerTesting
import Testing

/// `/api/admin/*` through the real server: authorisation matrix, paging, the lead view, reports, requeue.
@Suite(.serialized)
struct ServeAdminTests {
    static let token = "admin-token-0123456789abcdef"
    static let routes: [(method: String, path: String)] = [
        ("GET", "/api/admin/leads/01a22591-7bf3-749e-8b18-d18e0a1ac69d"), ("GET", "/api/admin/events"),
        ("GET", "/api/admin/reports/daily?day=2026-11-28"),
        ("POST", "/api/admin/leads/01a22591-7bf3-749e-8b18-d18e0a1ac69d/requeue"),
    ]

    private func json(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    @Test func everyAdminRouteRefusesAMissingOrWrongTokenAndIsDisabledWithoutOne() async throws {
        let server = try ServeProcess(settings: ["LEADLEDGER_ADMIN_TOKEN": Self.token])
        try server.start()
        for route in Self.routes {
            #expect(try await server.send(route.method, route.path).status == 401, "\(route.path)")
            #expect(try await server.send(route.method, route.path, bearer: "wrong-token-0123456789").status == 401)
            #expect(try await server.send(route.method, route.path + "?token=\(Self.token)").status == 401)
            #expect(try await server.send(route.method, route.path, bearer: Self.token).status != 401)
        }
        server.stop()
        let disabled = try ServeProcess()
        try disabled.start()
        for route in Self.routes {
            let (status, body) = try await disabled.send(route.method, route.path, bearer: Self.token)
            #expect(status == 503)
            #expect(body.contains("admin API disabled"))
        }
        disabled.stop()
    }

    @Test func theLeadViewShowsContactDataAndTheTimeline() async throws {
        let server = try ServeProcess(settings: ["LEADLEDGER_ADMIN_TOKEN": Self.token])
        try server.start()
        let posted = try await server.post(#"{"name":"Анна","phone":"+79161112233"}"#)
        let id = try #require(posted.json["lead_id"] as? String)
        let (status, body) = try await server.get("/api/admin/leads/\(id)", bearer: Self.token)
        #expect(status == 200)
        let object = json(body)
        #expect(object["state"] as? String == "pending")
        let timeline = try #require(object["timeline"] as? [[String: Any]])
        #expect(timeline.count == 1)
        let data = try #require(timeline.first?["data"] as? [String: Any])
        #expect((data["personal"] as? [String: Any])?["phone"] as? String == "+79161112233")
        #expect(try await server.get("/api/admin/leads/01a22591-7bf3-749e-8b18-d18e0a1ac69d", bearer: Self.token).status == 404)
        #expect(try await server.get("/api/admin/leads/not-an-id", bearer: Self.token).status == 400)
        server.stop()
    }

    @Test func eventsArePagedAndBounded() async throws {
        let server = try ServeProcess(settings: ["LEADLEDGER_ADMIN_TOKEN": Self.token, "LEADLEDGER_MAX_PAGE_SIZE": "4"])
        try server.start()
        for number in 0..<5 { _ = try await server.post(#"{"phone":"+7916000000\#(number)"}"#) }
        let first = json(try await server.get("/api/admin/events?limit=2", bearer: Self.token).body)
        #expect((first["events"] as? [Any])?.count == 2)
        #expect(first["next_after_seq"] as? Int == 2)
        let rest = json(try await server.get("/api/admin/events?after_seq=2&limit=1000", bearer: Self.token).body)
        // Seq 1 is serve's ProcessStarted, 2…6 the leads; the page stops at LEADLEDGER_MAX_PAGE_SIZE.
        #expect((rest["events"] as? [[String: Any]])?.compactMap { $0["seq"] as? Int } == [3, 4, 5, 6])
        // A limit above LEADLEDGER_MAX_PAGE_SIZE (4 here) is clamped to it.
        let clamped = json(try await server.get("/api/admin/events?limit=1000", bearer: Self.token).body)
        #expect((clamped["events"] as? [Any])?.count == 4)
        #expect(clamped["next_after_seq"] as? Int == 4)
        #expect(try await server.get("/api/admin/events?limit=0", bearer: Self.token).status == 400)
        #expect(try await server.get("/api/admin/events?after_seq=x", bearer: Self.token).status == 400)
        server.stop()
    }

    @Test func theDailyReportComesInEveryFormat() async throws {
        let server = try ServeProcess(settings: ["LEADLEDGER_ADMIN_TOKEN": Self.token, "LEADLEDGER_TIMEZONE": "UTC"])
        try server.start()
        _ = try await server.post(#"{"phone":"+79161234567","utm_source":"vk"}"#)
        let today = String(Timestamp(Date()).iso8601.prefix(10))
        let report = json(try await server.get("/api/admin/reports/daily?day=\(today)", bearer: Self.token).body)
        #expect((report["totals"] as? [String: Any])?["received"] as? Int == 1)
        #expect((report["totals"] as? [String: Any])?["pending"] as? Int == 1)
        for format in ["md", "csv", "html"] {
            #expect(
                try await server.get("/api/admin/reports/daily?day=\(today)&format=\(format)", bearer: Self.token).status == 200)
        }
        #expect(try await server.get("/api/admin/reports/daily?day=2026-02-30", bearer: Self.token).status == 400)
        #expect(try await server.get("/api/admin/reports/daily?format=pdf", bearer: Self.token).status == 400)
        server.stop()
    }

    @Test func requeueRevivesADeadLeadAndRefusesOthers() async throws {
        let server = try ServeProcess(settings: ["LEADLEDGER_ADMIN_TOKEN": Self.token])
        try server.start()
        let posted = try await server.post(#"{"phone":"+79161234567"}"#)
        let id = try #require(posted.json["lead_id"] as? String)
        let leadID = try #require(LeadID(id))
        #expect(try await server.send("POST", "/api/admin/leads/\(id)/requeue", bearer: Self.token).status == 409)
        // What the reactor will write when AmoCRM rejects the lead for good.
        let log = try EventLog.open(path: server.dbPath)
        try log.append([
            SyncEventBuilders.attempted(leadID), SyncEventBuilders.failed(leadID, retryAt: nil),
        ])
        let (status, body) = try await server.send("POST", "/api/admin/leads/\(id)/requeue", bearer: Self.token)
        #expect(status == 200)
        #expect(json(body)["status"] as? String == "requeued")
        let view = json(try await server.get("/api/admin/leads/\(id)", bearer: Self.token).body)
        #expect(view["state"] as? String == "pending")
        #expect(try await server.send("POST", "/api/admin/leads/\(id)/requeue", bearer: Self.token).status == 409)
        server.stop()
        #expect(try log.verify().isIntact)
    }
}
