import Foundation
import LedgerCore
import LedgerStore
import Testing

/// `serve` and `react` through each fault of the fake AmoCRM: an outage of a few seconds (the retry schedule shortened
/// to 1 s by setting), then recovery. Whatever AmoCRM did, every lead ends up in it exactly once. `slow` answers after
/// the 2 s request timeout, so AmoCRM creates leads whose replies nobody reads: an unknown outcome, like a lost reply.
@Suite(.serialized)
struct ReactFaultTests {
    /// Each fault mode, with its parameters as the fake's control API takes them.
    static let faults: [(mode: String, extra: [String: Double])] = [
        ("500", [:]), ("502-html", [:]), ("429-html", [:]), ("429", ["retry_after": 1]), ("slow", ["delay_s": 2.5]),
        ("hang", [:]), ("reset", [:]), ("lost-reply", [:]), ("403-html", [:]), ("garbage", [:]),
    ]

    @Test(arguments: 0..<faults.count)
    func afterAnOutageEveryLeadIsInTheCRMExactlyOnce(fault index: Int) async throws {
        let (mode, extra) = Self.faults[index]
        let crm = try FakeAmoCRMProcess()
        let server = try ServeProcess()
        try server.start()
        var leadIDs: Set<String> = []
        for number in 0..<3 {
            let answer = try await server.post(#"{"phone":"+79165556\#(index)\#(number)0"}"#)
            if let id = answer.json["lead_id"] as? String { leadIDs.insert(id) }
        }
        try await crm.control("mode", (["mode": mode] as [String: Any]).merging(extra) { $1 })
        let react = try ReactProcess(
            log: server,
            settings: [
                "LEADLEDGER_AMOCRM_BASE_URL": crm.baseURL, "LEADLEDGER_AMOCRM_TOKEN": FakeAmoCRMProcess.token,
                "LEADLEDGER_AMOCRM_BATCH_SIZE": "2", "LEADLEDGER_AMOCRM_TIMEOUT_S": "2",
                "LEADLEDGER_AMOCRM_CONNECT_TIMEOUT_S": "1", "LEADLEDGER_AMOCRM_RETRY_S": "1",
                "LEADLEDGER_AMOCRM_PROBE_S": "1",
                "LEADLEDGER_AMOCRM_BAN_PROBE_S": "2",
            ])
        // The outage lasts until the reactor has met it at least once, plus a second of retries; then AmoCRM recovers.
        var met = false
        for _ in 0..<200 where !met {
            let requests = try await crm.state()["requests"] as? [[String: Any]] ?? []
            met = requests.contains { ($0["path"] as? String)?.hasPrefix("/api/v4/") == true }
            if !met { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(met, "\(mode): the reactor never called AmoCRM")
        try await Task.sleep(for: .seconds(1))
        try await crm.control("mode", ["mode": "ok"])
        var synced: Set<String> = []
        for _ in 0..<400 where synced != leadIDs {  // at most 40 s
            try await Task.sleep(for: .milliseconds(100))
            synced = Set(
                try EventLog.open(path: server.dbPath).events(EventQuery(type: .syncSucceeded, limit: 100)).map(\.stream))
        }
        let stopped = react.stop()
        server.stop()
        let state = try await crm.state()
        #expect(stopped.status == 0, "\(mode): \(stopped.stderr.suffix(2000))")
        #expect(synced == leadIDs, "\(mode): every lead delivered")
        #expect(state["created_total"] as? Int == leadIDs.count, "\(mode): no lead created twice")
        #expect((state["duplicates"] as? [String: Any])?.isEmpty == true, "\(mode)")
        #expect((state["max_requests_in_any_1s_window"] as? Int ?? 99) <= 7, "\(mode): the rate limit held")
        let log = try EventLog.open(path: server.dbPath)
        #expect(try log.events(EventQuery(type: .syncFailed, limit: 1000)).count >= 1, "\(mode): the outage was recorded")
        #expect(try log.verify().isIntact)
    }

    /// The old backend gave up after three tries. Here an outage longer than the first several retries (the schedule
    /// shortened to seconds: 1, 1, 1, 2, 2, then 2 s repeating — ten seconds of outage is about ten minutes of the
    /// standard table) opens the breaker, sends nothing while AmoCRM is down, and delivers every lead once after.
    @Test func aLongOutageDelaysLeadsWithoutDeadLetteringOrDuplicatingThem() async throws {
        let crm = try FakeAmoCRMProcess()
        let server = try ServeProcess()
        try server.start()
        var leadIDs: Set<String> = []
        for number in 0..<10 {
            let answer = try await server.post(#"{"phone":"+7916555770\#(number)"}"#)
            if let id = answer.json["lead_id"] as? String { leadIDs.insert(id) }
        }
        try await crm.control("mode", ["mode": "500"])
        let react = try ReactProcess(
            log: server,
            settings: [
                "LEADLEDGER_AMOCRM_BASE_URL": crm.baseURL, "LEADLEDGER_AMOCRM_TOKEN": FakeAmoCRMProcess.token,
                "LEADLEDGER_AMOCRM_BATCH_SIZE": "5", "LEADLEDGER_AMOCRM_RETRY_S": "1,1,1,2,2",
                "LEADLEDGER_AMOCRM_PROBE_S": "1",
                "LEADLEDGER_AMOCRM_BREAKER_FAILURES": "3",
            ])
        try await Task.sleep(for: .seconds(10))
        let duringOutage = try await crm.state()
        try await crm.control("mode", ["mode": "ok"])
        var synced: Set<String> = []
        for _ in 0..<400 where synced != leadIDs {  // at most 40 s
            try await Task.sleep(for: .milliseconds(100))
            synced = Set(
                try EventLog.open(path: server.dbPath).events(EventQuery(type: .syncSucceeded, limit: 100)).map(\.stream))
        }
        let stopped = react.stop()
        server.stop()
        let state = try await crm.state()
        #expect(stopped.status == 0, "\(stopped.stderr.suffix(2000))")
        #expect(synced == leadIDs, "every lead delivered after the outage")
        #expect(state["created_total"] as? Int == leadIDs.count)
        #expect((state["duplicates"] as? [String: Any])?.isEmpty == true)
        let requests = duringOutage["requests"] as? [[String: Any]] ?? []
        #expect(requests.contains { ($0["path"] as? String) == "/api/v4/account" }, "the open breaker probed")
        let failures = try EventLog.open(path: server.dbPath).events(EventQuery(type: .syncFailed, limit: 1000)).map {
            try $0.decode()
        }
        #expect(failures.count >= 3, "the outage was recorded")
        #expect(
            failures.allSatisfy { if case .syncFailed(let failed) = $0 { failed.retryable } else { false } },
            "no lead was dead-lettered by a ten-second outage")
    }
}
