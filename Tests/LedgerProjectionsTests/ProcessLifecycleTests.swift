import LedgerCore
import LedgerProjections
import LedgerStore
import LedgerTesting
import Testing

/// Restarts as facts: each start says how the run before it ended, and an unclean end or a crash loop is an alert.
struct ProcessLifecycleTests {
    private let gone: @Sendable (Int32) -> Bool = { _ in false }

    private func alerts(_ log: EventLog) throws -> [AlertRaised] {
        try log.events(EventQuery(type: .alertRaised, limit: 100)).compactMap {
            if case .alertRaised(let alert) = try $0.decode() { alert } else { nil }
        }
    }

    @Test func theFirstStartOnALogHasNoPreviousRunAndRaisesNothing() async throws {
        let fixture = try TemporaryLog()
        let record = try await fixture.log.recordStart(.serve, pid: 100, version: "test", isRunning: gone)
        #expect(record.started.previousInstanceID == nil && record.started.previousEnded == nil)
        #expect(record.alerts.isEmpty)
        #expect(try await fixture.log.restarts(since: Timestamp(millisecondsSinceEpoch: 0)) == RestartCounts())
        #expect(try fixture.log.verify().isIntact)
    }

    @Test func aStartAfterACleanStopRecordsThePreviousRunAsCleanWithoutAnAlert() async throws {
        let fixture = try TemporaryLog()
        let first = try await fixture.log.recordStart(.react, pid: 100, version: "test", isRunning: gone)
        try await fixture.log.recordStop(first.started, reason: "shutdown signal")
        let second = try await fixture.log.recordStart(.react, pid: 101, version: "test", isRunning: gone)
        #expect(second.started.previousInstanceID == first.started.instanceID)
        #expect(second.started.previousEnded == .clean)
        #expect(try second.alerts.isEmpty && alerts(fixture.log).isEmpty)
        #expect(
            try await fixture.log.restarts(since: Timestamp(millisecondsSinceEpoch: 0)) == RestartCounts(restarts: 1, unclean: 0))
    }

    @Test func aStartAfterARunThatLeftNoStopIsUncleanAndRaisesOneAlertNamingIt() async throws {
        let fixture = try TemporaryLog()
        let crashed = try await fixture.log.recordStart(.serve, pid: 4242, version: "test", isRunning: gone)
        let next = try await fixture.log.recordStart(.serve, pid: 4243, version: "test", isRunning: gone)
        #expect(next.started.previousEnded == .unclean)
        let written = try alerts(fixture.log)
        #expect(written.map(\.kind) == ["unclean_restart"])
        #expect(written.first?.dedupeKey == "unclean_restart:serve:\(crashed.started.instanceID)")
        #expect(written.first?.message.contains("pid 4242") == true)
        #expect(
            try await fixture.log.restarts(since: Timestamp(millisecondsSinceEpoch: 0)) == RestartCounts(restarts: 1, unclean: 1))
    }

    @Test func aRunOfTheSameProcessThatIsStillAliveIsNotMistakenForACrash() async throws {
        let fixture = try TemporaryLog()
        let first = try await fixture.log.recordStart(.serve, pid: 100, version: "test", isRunning: gone)
        try await fixture.log.recordStop(first.started, reason: "shutdown signal")
        _ = try await fixture.log.recordStart(.serve, pid: 200, version: "test", isRunning: gone)
        // A second serve beside pid 200 (still running): its previous run is the cleanly stopped one.
        let beside = try await fixture.log.recordStart(.serve, pid: 300, version: "test", isRunning: { $0 == 200 })
        #expect(beside.started.previousInstanceID == first.started.instanceID)
        #expect(beside.started.previousEnded == .clean)
        #expect(beside.alerts.isEmpty)
    }

    @Test func aPreviousRunWithThisProcessPidIsOverEvenThoughThatPidIsAlive() async throws {
        let fixture = try TemporaryLog()
        _ = try await fixture.log.recordStart(.react, pid: 1, version: "test", isRunning: gone)
        // In a container every run is pid 1: the earlier pid-1 run cannot be the one running now.
        let again = try await fixture.log.recordStart(.react, pid: 1, version: "test", isRunning: { _ in true })
        #expect(again.started.previousEnded == .unclean)
    }

    @Test func restartsReachingTheThresholdWithinTheWindowRaiseACrashLoopAlertAndOlderOnesDoNot() async throws {
        let fixture = try TemporaryLog()
        let rule = CrashLoopRule(restarts: 3, window: .seconds(600))
        _ = try await fixture.log.recordStart(.react, pid: 10, version: "test", crashLoop: rule, isRunning: gone)
        fixture.clock.advance(milliseconds: 700_000)  // the first restart falls outside the window of the third
        _ = try await fixture.log.recordStart(.react, pid: 11, version: "test", crashLoop: rule, isRunning: gone)
        fixture.clock.advance(milliseconds: 60_000)
        let second = try await fixture.log.recordStart(.react, pid: 12, version: "test", crashLoop: rule, isRunning: gone)
        #expect(!second.alerts.map(\.kind).contains("crash_loop"), "two restarts in the window")
        fixture.clock.advance(milliseconds: 60_000)
        let third = try await fixture.log.recordStart(.react, pid: 13, version: "test", crashLoop: rule, isRunning: gone)
        #expect(third.alerts.map(\.kind) == ["unclean_restart", "crash_loop"])
        #expect(third.alerts.last?.severity == .critical && third.alerts.last?.dedupeKey == "crash_loop:react")
        // Another process's restarts are its own.
        let serve = try await fixture.log.recordStart(.serve, pid: 20, version: "test", crashLoop: rule, isRunning: gone)
        #expect(serve.started.previousInstanceID == nil && serve.alerts.isEmpty)
        #expect(try fixture.log.verify().isIntact)
    }

    @Test func restartCountsIncludeOnlyStartsSinceTheGivenTime() async throws {
        let fixture = try TemporaryLog()
        _ = try await fixture.log.recordStart(.serve, pid: 10, version: "test", isRunning: gone)
        _ = try await fixture.log.recordStart(.serve, pid: 11, version: "test", isRunning: gone)
        fixture.clock.advance(milliseconds: 3_600_000)
        let midnight = fixture.clock.now()
        let run = try await fixture.log.recordStart(.serve, pid: 12, version: "test", isRunning: gone)
        try await fixture.log.recordStop(run.started, reason: "shutdown signal")
        _ = try await fixture.log.recordStart(.serve, pid: 13, version: "test", isRunning: gone)
        #expect(try await fixture.log.restarts(since: midnight) == RestartCounts(restarts: 2, unclean: 1))
    }
}
