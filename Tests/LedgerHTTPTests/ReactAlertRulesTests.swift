import Foundation
import LedgerCore
import LedgerProjections
import LedgerStore
import Testing

/// The alert rules through a real `react`: AmoCRM failing raises `crm_failures` once however often the rules look,
/// and AmoCRM answering again resolves it once.
@Suite(.serialized)
struct ReactAlertRulesTests {
    private func alertEvents(_ path: String) throws -> [LedgerEvent] {
        try EventLog.open(path: path).events(EventQuery(stream: SystemStream.alerts, limit: 1000)).map { try $0.decode() }
    }

    @Test func repeatedCRMFailuresRaiseOneAlertAndRecoveryResolvesIt() async throws {
        let crm = try FakeAmoCRMProcess()
        let server = try ServeProcess()
        try server.start()
        #expect(try await server.post(#"{"phone":"+79165559001"}"#).status == 201)
        try await crm.control("mode", ["mode": "500"])
        let react = try ReactProcess(
            log: server,
            settings: [
                "LEADLEDGER_AMOCRM_BASE_URL": crm.baseURL, "LEADLEDGER_AMOCRM_TOKEN": FakeAmoCRMProcess.token,
                "LEADLEDGER_AMOCRM_RETRY_S": "1",
                "LEADLEDGER_AMOCRM_BREAKER_FAILURES": "100", "LEADLEDGER_ALERT_CHECK_S": "1",
                "LEADLEDGER_ALERT_CRM_FAILURES": "2",
            ])
        func kinds(_ events: [LedgerEvent], resolved: Bool) -> [String] {
            events.compactMap {
                switch $0 {
                case .alertRaised(let alert) where !resolved: alert.kind
                case .alertResolved(let done) where resolved: done.kind
                default: nil
                }
            }
        }
        var events: [LedgerEvent] = []
        for _ in 0..<300 where !kinds(events, resolved: false).contains("crm_failures") {  // at most 30 s
            try await Task.sleep(for: .milliseconds(100))
            events = try alertEvents(server.dbPath)
        }
        #expect(kinds(events, resolved: false) == ["crm_failures"])
        try await Task.sleep(for: .seconds(3))  // three more evaluations while AmoCRM still fails
        #expect(kinds(try alertEvents(server.dbPath), resolved: false) == ["crm_failures"], "raised once, not per look")

        try await crm.control("mode", ["mode": "ok"])
        for _ in 0..<300 where !kinds(events, resolved: true).contains("crm_failures") {
            try await Task.sleep(for: .milliseconds(100))
            events = try alertEvents(server.dbPath)
        }
        let stopped = react.stop()
        server.stop()
        #expect(stopped.status == 0, "\(stopped.stderr.suffix(2000))")
        #expect(kinds(events, resolved: true) == ["crm_failures"])
        guard case .alertResolved(let resolved)? = events.last, case .alertRaised(let raised)? = events.first else {
            Issue.record("expected the raise first and the resolution last: \(events)")
            return
        }
        #expect(resolved.resolvesAlertID == raised.alertID)
        #expect(try await EventLog.open(path: server.dbPath).openAlerts().isEmpty)
    }
}
