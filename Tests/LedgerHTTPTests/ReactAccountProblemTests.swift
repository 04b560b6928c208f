import Foundation
import LedgerCore
import LedgerStore
import Testing

/// `react` against account-level problems of the fake AmoCRM, through real processes: an expired token, a tariff
/// that stops the API (402), account-wide refusals (an opaque 400, a configured id the account lacks), a storm of 429s, and an account whose custom fields take the lead's values.
@Suite(.serialized)
struct ReactAccountProblemTests {
    static let fast = [
        "LEADLEDGER_AMOCRM_TIMEOUT_S": "2", "LEADLEDGER_AMOCRM_CONNECT_TIMEOUT_S": "1", "LEADLEDGER_AMOCRM_RETRY_S": "1",
        "LEADLEDGER_AMOCRM_PROBE_S": "1", "LEADLEDGER_AMOCRM_BAN_PROBE_S": "2",
    ]

    private func waitForCreated(_ crm: FakeAmoCRMProcess, _ count: Int, seconds: Int = 20) async throws -> [String: Any] {
        var state: [String: Any] = [:]
        for _ in 0..<(seconds * 10) {
            state = try await crm.state()
            if (state["created_total"] as? Int ?? 0) >= count { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        return state
    }

    private func decoded(_ log: EventLog, _ type: EventType) throws -> [LedgerEvent] {
        try log.events(EventQuery(type: type, limit: 1000)).map { try $0.decode() }
    }

    @Test func anExpiredAccessTokenIsRefreshedOnceAndTheLeadGoesWithoutAFailureOnRecord() async throws {
        let crm = try FakeAmoCRMProcess()
        let server = try ServeProcess()
        try server.start()
        let settings = ReactOAuthTests.oauth.merging(["LEADLEDGER_AMOCRM_BASE_URL": crm.baseURL]) { $1 }
        let react = try ReactProcess(log: server, settings: settings)
        #expect(try await server.post(#"{"phone":"+79165554001"}"#).status == 201)
        #expect(try await waitForCreated(crm, 1)["created_total"] as? Int == 1)
        let issuedBefore = try await crm.state()["tokens_issued"] as? Int ?? 0

        try await crm.control("expire-tokens", [:])
        #expect(try await server.post(#"{"phone":"+79165554002"}"#).status == 201)
        let state = try await waitForCreated(crm, 2)
        let stopped = react.stop()
        server.stop()
        #expect(stopped.status == 0, "\(stopped.stderr.suffix(2000))")
        #expect(state["created_total"] as? Int == 2)
        #expect(state["tokens_issued"] as? Int == issuedBefore + 1, "exactly one refresh after the 401")
        let requests = state["requests"] as? [[String: Any]] ?? []
        #expect(requests.contains { ($0["status"] as? Int) == 401 }, "AmoCRM did refuse the expired token")
        let log = try EventLog.open(path: server.dbPath)
        #expect(try decoded(log, .syncFailed).isEmpty, "a 401 fixed by a refresh is not a CRM failure")
        #expect(try decoded(log, .alertRaised).isEmpty)
    }

    @Test func aTariffProblemStopsAllTrafficWithOneAlertKeepsTheLeadsAndRecoversWhenPaid() async throws {
        let crm = try FakeAmoCRMProcess()
        let server = try ServeProcess()
        try server.start()
        var leadIDs: Set<String> = []
        for number in 0..<3 {
            let answer = try await server.post(#"{"phone":"+7916555410\#(number)"}"#)
            if let id = answer.json["lead_id"] as? String { leadIDs.insert(id) }
        }
        try await crm.control("mode", ["mode": "402"])
        let react = try ReactProcess(
            log: server,
            settings: Self.fast.merging([
                "LEADLEDGER_AMOCRM_BASE_URL": crm.baseURL, "LEADLEDGER_AMOCRM_TOKEN": FakeAmoCRMProcess.token,
                "LEADLEDGER_AMOCRM_BATCH_SIZE": "1",
            ]) { $1 })
        let log = try EventLog.open(path: server.dbPath)
        var alerts: [AlertRaised] = []
        for _ in 0..<100 where alerts.isEmpty {
            try await Task.sleep(for: .milliseconds(100))
            alerts = try decoded(log, .alertRaised).compactMap { if case .alertRaised(let alert) = $0 { alert } else { nil } }
        }
        let (_, healthBody) = try await server.get("/api/health/detailed")
        // Let the stop last a few probe intervals: no lead may be sent, dead-lettered or alerted about again.
        try await Task.sleep(for: .seconds(3))
        let whileStopped = try await crm.state()
        let createCallsWhileStopped = (whileStopped["requests"] as? [[String: Any]] ?? []).filter {
            ($0["path"] as? String) == "/api/v4/leads/complex"
        }.count
        try await crm.control("mode", ["mode": "ok"])
        let state = try await waitForCreated(crm, leadIDs.count)
        let stopped = react.stop()
        server.stop()
        #expect(stopped.status == 0, "\(stopped.stderr.suffix(2000))")
        #expect(alerts.first?.kind == "crm_stopped", "\(alerts)")
        // The rules may add `crm_circuit_open` if an evaluation falls in the stop; the ban alert itself is raised once.
        let stoppedAlerts = try decoded(log, .alertRaised).filter {
            if case .alertRaised(let alert) = $0 { alert.kind == "crm_stopped" } else { false }
        }
        #expect(stoppedAlerts.count == 1, "probes refused by the same 402 raise no more crm_stopped alerts")
        #expect(alerts.first?.message.contains("AmoCRM требует оплаты") == true, "\(alerts)")
        #expect(healthBody.contains(#""circuit_state":"open""#), "\(healthBody)")
        #expect(createCallsWhileStopped == 1, "after the 402 only probes went out, not leads")
        let failures = try decoded(log, .syncFailed).compactMap { if case .syncFailed(let failed) = $0 { failed } else { nil } }
        #expect(failures.allSatisfy { $0.retryable }, "no lead was dead-lettered by a tariff problem")
        #expect(state["created_total"] as? Int == leadIDs.count)
        #expect(Set((state["leads"] as? [[String: Any]] ?? []).compactMap { $0["request_id"] as? String }) == leadIDs)
        #expect(try log.verify().isIntact)
    }

    /// How an account-wide refusal is switched on in the fake, how it is cleared, and what its alert must name.
    struct Refusal: Sendable, CustomTestStringConvertible {
        var name: String
        var control: String
        var on: [String: any Sendable]
        var off: [String: any Sendable]
        var named: String
        var testDescription: String { name }

        static let all = [
            Refusal(
                name: "opaque 400 code 244", control: "mode", on: ["mode": "400-244"], off: ["mode": "ok"],
                named: "оплаченная подписка"),
            Refusal(
                name: "a configured custom field the account lacks", control: "behaviour",
                on: ["refuse_field_ids": [900004]], off: ["refuse_field_ids": [Int]()], named: "LEADLEDGER_AMOCRM_FIELDS"),
        ]
    }

    @Test(arguments: Refusal.all)
    func anAccountRefusalPausesAllLeadsWithOneAlertAndNoDeadLetter(_ refusal: Refusal) async throws {
        let crm = try FakeAmoCRMProcess()
        let server = try ServeProcess()
        try server.start()
        var leadIDs: Set<String> = []
        for number in 0..<4 {
            let answer = try await server.post(#"{"phone":"+7916555420\#(number)","comment":"перезвоните"}"#)
            if let id = answer.json["lead_id"] as? String { leadIDs.insert(id) }
        }
        try await crm.control(refusal.control, refusal.on)
        let react = try ReactProcess(
            log: server,
            settings: Self.fast.merging([
                "LEADLEDGER_AMOCRM_BASE_URL": crm.baseURL, "LEADLEDGER_AMOCRM_TOKEN": FakeAmoCRMProcess.token,
                "LEADLEDGER_AMOCRM_BATCH_SIZE": "2", "LEADLEDGER_AMOCRM_FIELDS": "ledger_id=900004",
            ]) { $1 })
        let log = try EventLog.open(path: server.dbPath)
        var alerts: [AlertRaised] = []
        for _ in 0..<100 where alerts.isEmpty {
            try await Task.sleep(for: .milliseconds(100))
            alerts = try decoded(log, .alertRaised).compactMap { if case .alertRaised(let alert) = $0 { alert } else { nil } }
        }
        // Three ban-probe intervals: each may send a trial batch that meets the same refusal.
        try await Task.sleep(for: .seconds(6))
        let trials = (try await crm.state()["requests"] as? [[String: Any]] ?? []).filter {
            ($0["path"] as? String) == "/api/v4/leads/complex"
        }.count
        try await crm.control(refusal.control, refusal.off)
        let state = try await waitForCreated(crm, leadIDs.count)
        let stopped = react.stop()
        server.stop()
        #expect(stopped.status == 0, "\(stopped.stderr.suffix(2000))")
        let stoppedAlerts = try decoded(log, .alertRaised).compactMap {
            if case .alertRaised(let alert) = $0, alert.kind == "crm_stopped" { alert } else { nil }
        }
        #expect(stoppedAlerts.count == 1, "one alert for the episode, not one per trial: \(stoppedAlerts.map(\.message))")
        #expect(stoppedAlerts.first?.message.contains(refusal.named) == true, "\(stoppedAlerts.map(\.message))")
        #expect(trials >= 2, "the breaker tried again while the account refused (\(trials) create calls)")
        let failures = try decoded(log, .syncFailed).compactMap { if case .syncFailed(let failed) = $0 { failed } else { nil } }
        #expect(!failures.isEmpty && failures.allSatisfy { $0.retryable && $0.errorClass == .accountRefused }, "\(failures)")
        #expect(state["created_total"] as? Int == leadIDs.count, "every lead went once the account accepted them")
        #expect(Set((state["leads"] as? [[String: Any]] ?? []).compactMap { $0["request_id"] as? String }) == leadIDs)
        #expect(try log.verify().isIntact)
    }

    @Test func aStormOf429sNeverPushesTheCallRateAboveTheLimitAndPausesTheReactor() async throws {
        let crm = try FakeAmoCRMProcess()
        let server = try ServeProcess()
        try server.start()
        let leads = 12
        for number in 0..<leads {
            #expect(try await server.post(#"{"phone":"+79165554\#(String(format: "%03d", number))"}"#).status == 201)
        }
        // 429 without Retry-After (AmoCRM documents none) for three seconds, from the reactor's first call.
        try await crm.control("mode", ["mode": "429", "seconds": 3])
        let react = try ReactProcess(
            log: server,
            settings: Self.fast.merging([
                "LEADLEDGER_AMOCRM_BASE_URL": crm.baseURL, "LEADLEDGER_AMOCRM_TOKEN": FakeAmoCRMProcess.token,
                "LEADLEDGER_AMOCRM_BATCH_SIZE": "1", "LEADLEDGER_AMOCRM_RATE_PER_S": "5",
            ]) { $1 })
        let state = try await waitForCreated(crm, leads, seconds: 60)
        let stopped = react.stop()
        server.stop()
        #expect(stopped.status == 0, "\(stopped.stderr.suffix(2000))")
        #expect(state["created_total"] as? Int == leads)
        #expect((state["duplicates"] as? [String: Any])?.isEmpty == true)
        let busiest = try #require(state["max_requests_in_any_1s_window"] as? Int)
        #expect(busiest <= 5, "at most 5 AmoCRM calls in any second, saw \(busiest)")
        let refused = (state["requests"] as? [[String: Any]] ?? []).filter { ($0["status"] as? Int) == 429 }.count
        // The first 429 pauses every call for 10 s, longer than the storm: it is answered once, not hammered.
        #expect(refused == 1, "calls answered 429: \(refused)")
    }

    @Test func configuredCustomFieldsTagsOwnerAndNameShapeTheLeadAndSpareTheNoteCall() async throws {
        let crm = try FakeAmoCRMProcess()
        let server = try ServeProcess()
        try server.start()
        let answer = try await server.post(
            #"{"phone":"+79165554201","comment":"Перезвоните","page_url":"https://site.ru/promo","form_id":"promo","utm_source":"yandex","utm_medium":"cpc"}"#
        )
        let leadID = try #require(answer.json["lead_id"] as? String)
        let react = try ReactProcess(
            log: server,
            settings: [
                "LEADLEDGER_AMOCRM_BASE_URL": crm.baseURL, "LEADLEDGER_AMOCRM_TOKEN": FakeAmoCRMProcess.token,
                "LEADLEDGER_AMOCRM_FIELDS": "comment=900001, page_url=900002, utm_source=900003, ledger_id=900004",
                "LEADLEDGER_AMOCRM_TAGS": "leadledger, сайт", "LEADLEDGER_AMOCRM_LEAD_NAME": "Лид",
                "LEADLEDGER_AMOCRM_RESPONSIBLE_USER_ID": "4242",
            ])
        let state = try await waitForCreated(crm, 1)
        try await Task.sleep(for: .milliseconds(300))  // a note call, if any, would arrive now
        let notes = try await crm.state()["notes"] as? [Any] ?? []
        let stopped = react.stop()
        server.stop()
        #expect(stopped.status == 0, "\(stopped.stderr.suffix(2000))")
        let lead = try #require((state["leads"] as? [[String: Any]])?.first)
        var fields: [Int: String] = [:]
        for field in lead["custom_fields_values"] as? [[String: Any]] ?? [] {
            let value = (field["values"] as? [[String: Any]])?.first?["value"] as? String
            if let id = field["field_id"] as? Int { fields[id] = value }
        }
        #expect(
            fields == [900001: "Перезвоните", 900002: "https://site.ru/promo", 900003: "yandex", 900004: leadID],
            "\(fields)")
        let tags = Set((lead["tags"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String })
        #expect(tags == ["leadledger", "сайт", "utm_medium:cpc"], "unmapped UTM values stay tags: \(tags)")
        #expect((lead["name"] as? String)?.hasPrefix("Лид") == true)
        #expect(lead["responsible_user_id"] as? Int == 4242)
        #expect(notes.isEmpty, "comment and page have fields, so no note call")
    }
}
