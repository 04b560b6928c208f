import Foundation
import LedgerCore
import LedgerStore
import LedgerTesting
import Testing

/// Alerts through the real binaries: `react` with a failing AmoCRM and the fake Telegram. The owner hears about the
/// failure within seconds and about the recovery after it, and no message carries a lead's contact data or the token.
@Suite(.serialized)
struct ReactAlertDeliveryTests {
    private func texts(_ telegram: FakeTelegramProcess) async throws -> [String] {
        try await telegram.messages().compactMap { $0["text"] as? String }
    }

    @Test func crmFailuresReachTelegramWithinSecondsAndTheRecoveryFollows() async throws {
        let crm = try FakeAmoCRMProcess()
        let telegram = try FakeTelegramProcess()
        let server = try ServeProcess(settings: telegram.settings)
        try server.start()
        let leads = [
            #"{"name":"Иван","phone":"+79165559001","email":"ivan.secret@example.ru"}"#,
            #"{"name":"Мария","phone":"8 (916) 555-90-02","email":"maria.private@example.com"}"#,
        ]
        for lead in leads { #expect(try await server.post(lead).status == 201) }
        try await crm.control("mode", ["mode": "500"])
        let react = try ReactProcess(
            log: server,
            settings: telegram.settings.merging([
                "LEADLEDGER_AMOCRM_BASE_URL": crm.baseURL, "LEADLEDGER_AMOCRM_TOKEN": FakeAmoCRMProcess.token,
                "LEADLEDGER_AMOCRM_RETRY_S": "1",
                "LEADLEDGER_AMOCRM_BREAKER_FAILURES": "100", "LEADLEDGER_ALERT_CHECK_S": "1",
                "LEADLEDGER_ALERT_CRM_FAILURES": "2",
                // A 500 leaves each create's outcome unknown; the leads must still be unsettled (not given up on
                // after the default 6 list checks, one a second here) when the CRM recovers, however long a loaded
                // machine takes to get the alert out. Giving up is tested on its own (SyncEngineAgainstFakeCRMTests).
                "LEADLEDGER_AMOCRM_RECONCILE_CHECKS": "100",
            ]) { $1 })
        var found: [String] = []
        for _ in 0..<300 where !found.contains(where: { $0.contains("crm_failures") }) {  // at most 30 s
            try await Task.sleep(for: .milliseconds(100))
            found = try await texts(telegram)
        }
        let raisedMessage = try #require(
            try await telegram.messages().first { ($0["text"] as? String)?.contains("crm_failures") == true })
        let log = try EventLog.open(path: server.dbPath)
        let raised = try #require(
            try log.events(EventQuery(stream: SystemStream.alerts, type: .alertRaised, limit: 100)).first {
                if case .alertRaised(let alert) = try $0.decode() { alert.kind == "crm_failures" } else { false }
            })
        let sentAt = try #require((raisedMessage["t_ms"] as? NSNumber)?.int64Value)
        #expect(sentAt - raised.recordedAt.millisecondsSinceEpoch < 5000, "on Telegram within seconds of the raise")

        try await crm.control("mode", ["mode": "ok"])
        for _ in 0..<300 where !found.contains(where: { $0.contains("Решено") }) {
            try await Task.sleep(for: .milliseconds(100))
            found = try await texts(telegram)
        }
        let stopped = react.stop()
        server.stop()
        #expect(stopped.status == 0, "\(stopped.stderr.suffix(2000))")
        #expect(found.contains { $0.contains("Решено") }, "the resolution reached Telegram: \(found)")
        #expect(found.filter { $0.contains("crm_failures") }.count == 1, "raised once: \(found)")

        let forbidden = [
            "9165559001", "79165559001", "555-90-02", "5559002", "ivan.secret", "maria.private", "example.ru", "Иван", "Мария",
            telegram.token,
        ]
        for text in found {
            for value in forbidden { #expect(!text.contains(value), "\(value) in a Telegram message: \(text)") }
        }
        #expect(!stopped.stderr.contains(telegram.token), "the token in react's log")
        let delivered = try log.events(EventQuery(stream: SystemStream.alerts, type: .alertDelivered, limit: 100))
        #expect(delivered.count >= 2)
        for event in delivered { #expect(!event.data.contains(telegram.token)) }
    }
}
