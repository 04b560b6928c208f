import Foundation
import LedgerCore
import LedgerStore

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

/// Whether a pid is a running LeadLedger process. The default reads `/proc`: its command line must name `leadledger`,
/// so a reused pid of some other program after a reboot does not count.
public enum ProcessLiveness {
    public static func isLeadLedgerProcess(_ pid: Int32) -> Bool {
        guard pid > 0, let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
        return String(decoding: data, as: UTF8.self).contains("leadledger")
    }
}

extension EventStore {
    /// Records that `process` started, in one transaction with what it concludes about the run before it (read under
    /// the append lock, so two processes starting together cannot both miss each other).
    ///
    /// The previous run is the latest start of the same process whose pid is no longer running (`isRunning` is asked,
    /// so a second `serve` beside a live one is not mistaken for a restart) or is this process's own pid. It ended
    /// cleanly if a `ProcessStopped` with its instance id follows; otherwise it crashed or was killed, and an
    /// `unclean_restart` alert is written. When the starts that followed a previous run within `crashLoop.window`
    /// reach `crashLoop.restarts`, a `crash_loop` alert is written too. Both are worded in `locale`
    /// (`AlertMessages`).
    public func recordStart(
        _ process: ProcessName, pid: Int32, version: String, crashLoop: CrashLoopRule = CrashLoopRule(),
        locale: AlertLocale = .ru,
        isRunning: @escaping @Sendable (Int32) -> Bool = ProcessLiveness.isLeadLedgerProcess
    ) async throws(StoreError) -> ProcessStartRecord {
        let query = EventQuery(
            stream: SystemStream.processes, limit: min(StreamFold.processHistoryScan, maxPageSize), order: .newestFirst)
        let written = try await append(afterReading: query) { rows, now throws(StoreError) in
            var history: [(event: LedgerEvent, recordedAt: Timestamp)] = []
            for row in rows { history.append((try StreamFold.decode(row), row.recordedAt)) }
            return Self.start(
                process, pid: pid, version: version, history: history, now: now, crashLoop: crashLoop, locale: locale,
                isRunning: isRunning
            ).map { PendingEvent($0) }
        }
        var record: ProcessStartRecord?
        for event in written {
            switch try StreamFold.decode(event) {
            case .processStarted(let started): record = ProcessStartRecord(started: started, alerts: [])
            case .alertRaised(let alert): record?.alerts.append(alert)
            default: break
            }
        }
        guard let record else { throw StoreError(.other, "recording the start of \(process.rawValue) wrote no ProcessStarted") }
        return record
    }

    /// The events a start writes: its `ProcessStarted`, then the alerts it concludes from `history` (the newest
    /// events of `system:processes`, newest first).
    private static func start(
        _ process: ProcessName, pid: Int32, version: String, history: [(event: LedgerEvent, recordedAt: Timestamp)],
        now: Timestamp, crashLoop: CrashLoopRule, locale: AlertLocale, isRunning: (Int32) -> Bool
    ) -> [LedgerEvent] {
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
            process: process, instanceID: UUIDv7.make(at: now), pid: pid, version: version,
            previousInstanceID: previous?.0.instanceID, previousEnded: ended)
        var events: [LedgerEvent] = [.processStarted(started)]
        if let (last, at) = previous, ended == .unclean {
            events.append(
                .alertRaised(
                    AlertRaised(
                        alertID: UUIDv7.make(at: now), kind: "unclean_restart", severity: .warning,
                        dedupeKey: "unclean_restart:\(process.rawValue):\(last.instanceID)",
                        message: AlertMessages.uncleanRestart(
                            process: process.rawValue, pid: last.pid, startedAt: at.iso8601, locale),
                        subject: process.rawValue)))
        }
        let windowStart = now.adding(milliseconds: -crashLoop.window.milliseconds)
        let recentRestarts =
            starts.filter { start, at in start.previousInstanceID != nil && at >= windowStart }.count
            + (previous == nil ? 0 : 1)
        if previous != nil, recentRestarts >= crashLoop.restarts {
            events.append(
                .alertRaised(
                    AlertRaised(
                        alertID: UUIDv7.make(at: now), kind: "crash_loop", severity: .critical,
                        dedupeKey: "crash_loop:\(process.rawValue)",
                        message: AlertMessages.crashLoop(
                            process: process.rawValue, restarts: recentRestarts,
                            minutes: crashLoop.window.components.seconds / 60, locale),
                        subject: process.rawValue)))
        }
        return events
    }

    /// Records the clean end of a run started with `recordStart`.
    public func recordStop(_ started: ProcessStarted, reason: String) async throws(StoreError) {
        _ = try await append([
            PendingEvent(
                .processStopped(
                    ProcessStopped(process: started.process, instanceID: started.instanceID, pid: started.pid, reason: reason)))
        ])
    }

    /// Restarts of any process recorded at or after `since` and before `until` (nil: no end), bounded by the scan
    /// limit: the newest `StreamFold.processHistoryScan` starts of the period.
    public func restarts(since: Timestamp, until: Timestamp? = nil) async throws(StoreError) -> RestartCounts {
        let starts = try await newest(
            inStream: SystemStream.processes, type: .processStarted, from: since, to: until,
            limit: StreamFold.processHistoryScan)
        var counts = RestartCounts()
        for row in starts {
            guard case .processStarted(let start) = try StreamFold.decode(row), let ended = start.previousEnded else {
                continue
            }
            counts.restarts += 1
            if ended == .unclean { counts.unclean += 1 }
        }
        return counts
    }
}
