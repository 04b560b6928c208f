import LedgerCore
import LedgerProjections
import LedgerReactor
import LedgerStore
import LedgerTesting
import Logging
import Testing

/// `react` judges `serve`'s descriptors from the status file `serve` writes beside the log, and its own directly: one
/// `descriptors_high` alert per process, resolved when the count falls, and a stale file (no `serve` running) judged
/// not at all.
struct DescriptorsAlertTests {
    private func service(_ fixture: TemporaryLog) throws -> AlertService {
        var settings = AlertSettings()
        // The disk and memory rules judge the machine; here only the descriptors may raise anything.
        settings.diskFreeMegabytes = 1
        settings.memoryPercent = 99
        settings.memoryLimitMegabytes = 1_000_000
        return AlertService(
            log: fixture.log, runner: try ProjectionRunner(log: fixture.log), localState: fixture.log.path,
            settings: settings, circuit: { nil },
            clock: fixture.clock, logger: Logger(label: "test"))
    }

    private func writeStatus(_ fixture: TemporaryLog, open: Int, secondsAgo: Int64 = 0) throws {
        let at = Timestamp(millisecondsSinceEpoch: fixture.clock.now().millisecondsSinceEpoch - secondsAgo * 1000)
        try ServeStatus(
            pid: 1, updatedAt: at, openDescriptors: open, maxDescriptors: 1024, openConnections: 0, maxConnections: 896
        )
        .write(forLog: fixture.path)
    }

    private func kinds(_ events: [LedgerEvent]) -> [String] {
        events.map {
            switch $0 {
            case .alertRaised(let alert): "raised \(alert.dedupeKey)"
            case .alertResolved(let resolved): "resolved \(resolved.dedupeKey)"
            default: "other"
            }
        }
    }

    @Test func serveNearItsLimitRaisesOneAlertThatResolvesWhenTheCountFalls() async throws {
        let fixture = try TemporaryLog()
        let alerts = try service(fixture)
        var tracker = StallTracker()
        try writeStatus(fixture, open: 900)
        #expect(kinds(try await alerts.evaluate(&tracker)) == ["raised descriptors_high:serve"])
        #expect(try await alerts.evaluate(&tracker).isEmpty, "raised once while it holds")
        try writeStatus(fixture, open: 100)
        #expect(kinds(try await alerts.evaluate(&tracker)) == ["resolved descriptors_high:serve"])
    }

    @Test func aStatusNoServeHasWrittenForLongIsNotJudged() async throws {
        let fixture = try TemporaryLog()
        let alerts = try service(fixture)
        var tracker = StallTracker()
        try writeStatus(fixture, open: 1000, secondsAgo: 60)
        #expect(try await alerts.evaluate(&tracker).isEmpty)
    }
}
