import LedgerCore
import LedgerProjections
import LedgerStore
import LedgerTesting
import Testing

struct OpenAlertsTests {
    private func raise(_ log: EventLog, _ key: String, _ id: String) throws {
        try log.append(
            .alertRaised(AlertRaised(alertID: id, kind: "k", severity: .warning, dedupeKey: key, message: id, subject: nil)))
    }

    private func resolve(_ log: EventLog, _ key: String, _ id: String) throws {
        try log.append(
            .alertResolved(AlertResolved(alertID: "r-\(id)", resolvesAlertID: id, kind: "k", dedupeKey: key, message: "ok")))
    }

    @Test func aKeyIsOpenFromItsFirstRaiseAfterTheLastResolutionUntilItIsResolved() async throws {
        let fixture = try TemporaryLog()
        try raise(fixture.log, "a", "a1")
        try resolve(fixture.log, "a", "a1")
        try raise(fixture.log, "a", "a2")
        try raise(fixture.log, "a", "a3")  // raised again while open: still the episode that began with a2
        try raise(fixture.log, "b", "b1")
        try resolve(fixture.log, "b", "b1")
        let open = try await fixture.log.openAlerts()
        #expect(Set(open.keys) == ["a"])
        #expect(open["a"]?.raised.alertID == "a2")
        #expect(try fixture.log.verify().isIntact)
    }
}
