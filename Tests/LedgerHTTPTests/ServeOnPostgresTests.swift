import Foundation
import LedgerTesting
import Testing

/// `serve` and `react` with `LEADLEDGER_DB=postgres://…`, as real processes against a real PostgreSQL: the same
/// promises as on SQLite, end to end, and through a server restart.
@Suite(.serialized)
struct ServeOnPostgresTests {
    static let adminToken = "postgres-admin-token-0123456789"

    /// Settings that put `serve` (and a `react` over it) on `database`, with this host's files in `state`.
    private static func settings(_ database: String, state: TemporaryDirectory, _ extra: [String: String] = [:])
        -> [String: String]
    {
        ["LEADLEDGER_DB": database, "LEADLEDGER_STATE_DIR": state.path, "LEADLEDGER_ADMIN_TOKEN": adminToken]
            .merging(extra) { $1 }
    }

    private func detailed(_ server: ServeProcess) async throws -> [String: Any] {
        let (status, body) = try await server.get("/api/health/detailed")
        try #require(status == 200 || status == 503, "\(status) \(body)")
        return try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
    }

    private func jsonLines(_ text: String) -> [[String: Any]] {
        text.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }
    }

    /// Leads posted to `serve` reach the fake AmoCRM exactly once through `react`; replays and a double click get the
    /// original receipt; health, the dashboard, metrics and the admin API read PostgreSQL and the read models; and
    /// `status`, `lead`, `report`, `rebuild` and `verify` run on the same database afterwards.
    @Test func serveAndReactOnPostgreSQLDeliverEveryLeadOnceAndEveryCommandReadsIt() async throws {
        let database = try await PostgresServer.shared().makeDatabase()
        let state = try TemporaryDirectory(prefix: "leadledger-state")
        let crm = try FakeAmoCRMProcess()
        // The double click below comes a dozen requests after the lead it repeats: on a slow machine that is more
        // than the default 10 s window, so the window is wide here.
        let server = try ServeProcess(
            settings: Self.settings(
                database, state: state,
                [
                    "LEADLEDGER_AMOCRM_BASE_URL": crm.baseURL, "LEADLEDGER_AMOCRM_TOKEN": FakeAmoCRMProcess.token,
                    "LEADLEDGER_DUPLICATE_WINDOW_S": "300",
                ]))
        try server.start()

        var leadIDs: Set<String> = []
        for number in 0..<10 {
            let answer = try await server.post(#"{"name":"Анна \#(number)","phone":"+7916555100\#(number)"}"#)
            #expect(answer.status == 201, "\(answer.json)")
            if let id = answer.json["lead_id"] as? String { leadIDs.insert(id) }
        }
        let keyed = try await server.post(#"{"phone":"+79165552000"}"#, idempotencyKey: "order-42")
        let replay = try await server.post(#"{"phone":"+79165552000"}"#, idempotencyKey: "order-42")
        #expect(keyed.status == 201 && replay.status == 200)
        #expect(replay.json["lead_id"] as? String == keyed.json["lead_id"] as? String)
        if let id = keyed.json["lead_id"] as? String { leadIDs.insert(id) }
        let doubleClick = try await server.post(#"{"name":"Анна 0","phone":"+79165551000"}"#)
        #expect(doubleClick.status == 200, "a second click within the window is the same lead")
        #expect(doubleClick.json["lead_id"].map { leadIDs.contains("\($0)") } == true)

        let react = try ReactProcess(log: server, settings: [:])
        var created: [[String: Any]] = []
        for _ in 0..<300 where created.count < leadIDs.count {  // at most 30 s
            created = try await crm.state()["leads"] as? [[String: Any]] ?? []
            try await Task.sleep(for: .milliseconds(100))
        }
        var queue: [String: Any] = [:]
        for _ in 0..<100 {  // the projector folds every 500 ms
            queue = try await detailed(server)["queue"] as? [String: Any] ?? [:]
            if queue["synced"] as? Int == leadIDs.count { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(queue["synced"] as? Int == leadIDs.count, "\(queue)")
        let health = try await detailed(server)
        #expect((health["crm"] as? [String: Any])?["circuit_state"] as? String == "closed", "\(health)")
        #expect((health["log"] as? [String: Any])?["file_bytes"] as? Int ?? 0 > 0, "the database's size is reported")
        #expect((health["conservation"] as? [String: Any])?["holds"] as? Bool == true)

        let dashboard = try await server.get("/")
        #expect(dashboard.status == 200)
        let metrics = try await server.get("/metrics")
        #expect(metrics.body.contains("leadledger_log_last_seq"), "\(metrics.body.prefix(400))")
        let someLead = try #require(leadIDs.first)
        let admin = try await server.get("/api/admin/leads/\(someLead)", bearer: Self.adminToken)
        #expect(admin.status == 200, "\(admin.body)")
        #expect(admin.body.contains("SyncSucceeded") && admin.body.contains("\"state\":\"synced\""), "\(admin.body)")
        let events = try await server.get("/api/admin/events?limit=5", bearer: Self.adminToken)
        #expect(events.status == 200 && events.body.contains("\"next_after_seq\":5"), "\(events.body)")

        let stopped = react.stop()
        #expect(stopped.status == 0, "\(stopped.stderr)")
        #expect(server.stop() == 0, "\(server.standardError)")
        let fake = try await crm.state()
        #expect(Set(created.compactMap { $0["request_id"] as? String }) == leadIDs)
        #expect((fake["leads"] as? [Any])?.count == leadIDs.count)
        #expect((fake["duplicates"] as? [String: Any])?.isEmpty == true)

        let environment = server.environment
        let status = try runLeadledger(["status"], environment)
        #expect(status.status == 0, "\(status)")
        #expect(status.stdout.contains("\"received_total\" : \(leadIDs.count)"), "\(status.stdout)")
        let password = try await PostgresServer.shared().password
        #expect(!(status.stdout + status.stderr).contains(password))
        let lead = try runLeadledger(["lead", someLead], environment)
        #expect(lead.status == 0 && lead.stdout.contains("synced"), "\(lead)")
        let report = try runLeadledger(["report", "--format", "json"], environment)
        #expect(report.status == 0, "\(report)")
        let rebuild = try runLeadledger(["rebuild"], environment)
        #expect(rebuild.status == 0 && rebuild.stdout.contains("replayed"), "\(rebuild)")
        let verify = try runLeadledger(["verify"], environment)
        #expect(verify.status == 0, "\(verify)")
        // Both processes recorded their start and their clean stop in the database.
        let lifecycle = jsonLines(try runLeadledger(["events", "--type", "ProcessStopped"], environment).stdout)
        #expect(Set(lifecycle.compactMap { ($0["data"] as? [String: Any])?["process"] as? String }) == ["serve", "react"])
        crm.stop()
    }

    /// PostgreSQL restarted (`pg_ctl restart -m immediate`) while leads arrive: every request is answered within the
    /// ledger's bounds, 201 or 503 and nothing else (a request that finds the server back within its wait for a
    /// connection is simply recorded); `serve` reconnects by itself; every lead it acknowledged is in the log once.
    @Test func aPostgreSQLRestartUnderLoadLosesNoAcknowledgedLead() async throws {
        let cluster = try await PostgresServer.start()
        let database = try await cluster.makeDatabase()
        let state = try TemporaryDirectory(prefix: "leadledger-state")
        // Bounds short enough that a request caught by the restart fails well within the test's patience.
        let server = try ServeProcess(
            settings: Self.settings(database, state: state, ["LEADLEDGER_DB_OPERATION_TIMEOUT_MS": "2000"]))
        try server.start()

        struct Answer: Sendable {
            var status: Int
            var leadID: String?
            var sent: ContinuousClock.Instant
            var took: Duration
        }
        let posters = 4
        let restartAt = ContinuousClock.now + .milliseconds(1500)
        let endAt = restartAt + .seconds(6)
        let (answers, restarted) = try await withThrowingTaskGroup(of: [Answer].self) { group in
            for poster in 0..<posters {
                group.addTask {
                    var seen: [Answer] = []
                    var number = 0
                    while ContinuousClock.now < endAt {
                        number += 1
                        let sent = ContinuousClock.now
                        let answer = try await server.post(#"{"phone":"\#(String(format: "+7916%d%06d", poster, number))"}"#)
                        seen.append(
                            Answer(
                                status: answer.status, leadID: answer.json["lead_id"] as? String, sent: sent,
                                took: ContinuousClock.now - sent))
                        if answer.status != 201 { try await Task.sleep(for: .milliseconds(100)) }
                    }
                    return seen
                }
            }
            try await Task.sleep(until: restartAt)
            try await cluster.restartImmediately()
            let restarted = ContinuousClock.now
            var all: [Answer] = []
            for try await seen in group { all += seen }
            return (all, restarted)
        }
        #expect(Set(answers.map(\.status)).isSubset(of: [201, 503]), "\(Set(answers.map(\.status)))")
        // Two waits of LEADLEDGER_DB_OPERATION_TIMEOUT_MS at most (for a connection, then for the call to end).
        let slowest = answers.map(\.took).max() ?? .zero
        #expect(slowest < .seconds(4) + .seconds(3), "every request answered within the bound: \(slowest)")
        #expect(
            answers.contains { $0.status == 201 && $0.sent > restarted },
            "serve takes leads again after the restart, without a restart of its own")
        let acknowledged = Set(answers.filter { $0.status == 201 }.compactMap(\.leadID))
        #expect(acknowledged.count == answers.filter { $0.status == 201 }.count)
        #expect(server.stop() == 0, "\(server.standardError)")

        let received = jsonLines(
            try runLeadledger(["events", "--type", "LeadReceived"], server.environment).stdout
        ).compactMap { $0["stream"] as? String }
        #expect(acknowledged.isSubset(of: Set(received)), "every acknowledged lead is in the log")
        #expect(received.count == Set(received).count, "and none twice")
        let verify = try runLeadledger(["verify"], server.environment)
        #expect(verify.status == 0, "\(verify)")
        try await cluster.stop()
    }
}
