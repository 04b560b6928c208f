import Foundation
import GRDB
import LedgerCore

/// When restarts of one process become a crash loop: `restarts` starts that followed an earlier run within `window`.
/// `LEADLEDGER_ALERT_CRASH_LOOP_RESTARTS` (3) and `LEADLEDGER_ALERT_CRASH_LOOP_WINDOW_S` (600).
public struct CrashLoopRule: Sendable, Equatable {
    public var restarts: Int
    public var window: Duration

    public init(restarts: Int = 3, window: Duration = .seconds(600)) {
        self.restarts = restarts
        self.window = window
    }
}

/// What `recordStart` found and wrote.
public struct ProcessStartRecord: Sendable, Equatable {
    public var started: ProcessStarted
    /// The alerts written with it: an unclean end of the previous run, a crash loop.
    public var alerts: [AlertRaised]
}

/// Restarts of `serve` and `react` in a period, as health reports them.
public struct RestartCounts: Sendable, Equatable {
    /// Starts that followed an earlier run of the same process.
    public var restarts = 0
    /// Of those, the ones whose previous run left no `ProcessStopped`: crashes, kills, power cuts.
    public var unclean = 0

    public init(restarts: Int = 0, unclean: Int = 0) {
        self.restarts = restarts
        self.unclean = unclean
    }
}

extension EventLog {
    /// How far back start-up looks for the previous run: enough for any crash loop window, bounded.
    static let processHistoryScan = 1000

    /// Records that `process` started, in one transaction with what it concludes about the run before it.
    ///
    /// The previous run is the latest start of the same process whose pid is no longer running (`isRunning` is asked,
    /// so a second `serve` beside a live one is not mistaken for a restart) or is this process's own pid. It ended cleanly if a `ProcessStopped`
    /// with its instance id follows; otherwise it crashed or was killed, and an `unclean_restart` alert is written.
    /// When the starts that followed a previous run within `crashLoop.window` reach `crashLoop.restarts`, a
    /// `crash_loop` alert is written too. Both are worded in `locale` (`AlertMessages`).
    public func recordStart(
        _ process: ProcessName, pid: Int32, version: String, crashLoop: CrashLoopRule = CrashLoopRule(),
        locale: AlertLocale = .ru,
        isRunning: @escaping (Int32) -> Bool = EventLog.isLeadLedgerProcess
    ) throws(StoreError) -> ProcessStartRecord {
        let now = clock.now()
        let instanceID = UUIDv7.make(at: now)
        return try writeImmediate { db in
            let history = try Self.recentProcessEvents(db, limit: Self.processHistoryScan)
            let stopped = Set(
                history.compactMap { event -> String? in
                    if case .processStopped(let stop) = event.event, stop.process == process { return stop.instanceID }
                    return nil
                })
            let starts = history.compactMap { event -> (ProcessStarted, Timestamp)? in
                if case .processStarted(let start) = event.event, start.process == process { return (start, event.recordedAt) }
                return nil
            }
            // A start with our own pid is over (containers reuse pid 1 on every run); so is one whose pid is gone.
            let previous = starts.first { start, _ in
                stopped.contains(start.instanceID) || start.pid == pid || !isRunning(start.pid)
            }
            let ended: PreviousRunEnd? = previous.map { stopped.contains($0.0.instanceID) ? .clean : .unclean }
            let started = ProcessStarted(
                process: process, instanceID: instanceID, pid: pid, version: version,
                previousInstanceID: previous?.0.instanceID, previousEnded: ended)
            var alerts: [AlertRaised] = []
            if let (last, at) = previous, ended == .unclean {
                alerts.append(
                    AlertRaised(
                        alertID: UUIDv7.make(at: now), kind: "unclean_restart", severity: .warning,
                        dedupeKey: "unclean_restart:\(process.rawValue):\(last.instanceID)",
                        message: AlertMessages.uncleanRestart(
                            process: process.rawValue, pid: last.pid, startedAt: at.iso8601, locale),
                        subject: process.rawValue))
            }
            let windowStart = now.adding(milliseconds: -crashLoop.window.milliseconds)
            let recentRestarts =
                starts.filter { start, at in start.previousInstanceID != nil && at >= windowStart }.count
                + (previous == nil ? 0 : 1)
            if previous != nil, recentRestarts >= crashLoop.restarts {
                alerts.append(
                    AlertRaised(
                        alertID: UUIDv7.make(at: now), kind: "crash_loop", severity: .critical,
                        dedupeKey: "crash_loop:\(process.rawValue)",
                        message: AlertMessages.crashLoop(
                            process: process.rawValue, restarts: recentRestarts,
                            minutes: crashLoop.window.components.seconds / 60, locale),
                        subject: process.rawValue))
            }
            var writer = try ChainWriter(db, recordedAt: now)
            for event in [LedgerEvent.processStarted(started)] + alerts.map(LedgerEvent.alertRaised) {
                _ = try writer.append(
                    stream: event.stream, type: event.type, schemaVersion: event.schemaVersion,
                    data: try Self.encode(event), expected: .any)
            }
            return ProcessStartRecord(started: started, alerts: alerts)
        }
    }

    /// Records the clean end of a run started with `recordStart`.
    public func recordStop(_ started: ProcessStarted, reason: String) throws(StoreError) {
        try append(
            .processStopped(
                ProcessStopped(process: started.process, instanceID: started.instanceID, pid: started.pid, reason: reason)))
    }

    /// Restarts of any process recorded at or after `since` and before `until` (nil: no end), bounded by the scan
    /// limit: the newest `processHistoryScan` starts of the period.
    public func restarts(since: Timestamp, until: Timestamp? = nil) throws(StoreError) -> RestartCounts {
        try read { db in
            let starts = try RecordedEvent.fetchAll(
                db,
                sql: """
                    SELECT \(RecordedEvent.columns) FROM event
                    WHERE stream = ? AND type = ? AND recorded_at >= ? AND recorded_at < ? ORDER BY seq DESC LIMIT ?
                    """,
                arguments: [
                    SystemStream.processes, EventType.processStarted.rawValue, since.millisecondsSinceEpoch,
                    until?.millisecondsSinceEpoch ?? Int64.max, Self.processHistoryScan,
                ])
            var counts = RestartCounts()
            for row in starts {
                guard case .processStarted(let start) = try row.decode(strict: false), let ended = start.previousEnded else {
                    continue
                }
                counts.restarts += 1
                if ended == .unclean { counts.unclean += 1 }
            }
            return counts
        }
    }

    /// True when `pid` is a running LeadLedger process (its command line names `leadledger`): a reused pid of some
    /// other program after a reboot does not count.
    public static func isLeadLedgerProcess(_ pid: Int32) -> Bool {
        guard pid > 0, let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
        return String(decoding: data, as: UTF8.self).contains("leadledger")
    }

    /// The newest events of `system:processes`, newest first.
    private static func recentProcessEvents(_ db: Database, limit: Int) throws -> [(event: LedgerEvent, recordedAt: Timestamp)] {
        let rows = try RecordedEvent.fetchAll(
            db, sql: "SELECT \(RecordedEvent.columns) FROM event WHERE stream = ? ORDER BY version DESC LIMIT ?",
            arguments: [SystemStream.processes, limit])
        return try rows.map { (try $0.decode(strict: false), $0.recordedAt) }
    }

}
