import Foundation
import LedgerCore
import LedgerProjections
import LedgerStore
import Logging

/// `react`'s nightly report, one pass at a time: for every due day (`ReportSchedule`) without a `ReportProduced`,
/// build the report (the same builder as `leadledger report` and the admin API), write its four files, then record
/// `ReportProduced` — which the alert delivery pipeline turns into the owner's Telegram summary.
///
/// Exactly once per day: the event is appended only if none exists for that day, checked in its own write
/// transaction, and `react` is the only writer of it (`ReactorLock`). A restart within the scheduled minute, or a
/// clock that goes backwards, finds the event and produces nothing. Files come first: a crash after them and before
/// the event leaves files that the next pass overwrites before recording the event, so the event's hash always names
/// the JSON file written with it. Files that cannot be written do not hold the event back (the owner still hears);
/// a day whose event exists but whose files are missing (deleted, another directory configured, a full disk then)
/// gets them rewritten on a later pass, from the report as it stands then, with no second event and no second
/// Telegram message.
public struct ReportScheduler: Sendable {
    let log: any EventStore
    let runner: ProjectionRunner
    let schedule: ReportSchedule
    let files: ReportFiles
    let settings: LostLeadCostReport.Settings
    let clock: any LedgerClock
    let logger: Logger

    public init(
        log: any EventStore, runner: ProjectionRunner, schedule: ReportSchedule, files: ReportFiles,
        settings: LostLeadCostReport.Settings,
        clock: any LedgerClock = SystemClock(), logger: Logger
    ) {
        self.log = log
        self.runner = runner
        self.schedule = schedule
        self.files = files
        self.settings = settings
        self.clock = clock
        self.logger = logger
    }

    /// One pass: produce what is due, rewrite what is missing. Returns what it did.
    @discardableResult
    public func pass() async throws -> ReportPass {
        let now = clock.now()
        var pass = ReportPass()
        let due = schedule.dueDays(at: now, firstEventAt: try await log.firstEventAt())
        let produced = try await log.producedReportDays(among: due.map(\.day.description))
        for (day, run) in due {
            let name = day.description
            if produced.contains(name) {
                guard !files.missing(day: name).isEmpty else { continue }
                let report = try await LostLeadCostReport.build(runner: runner, log: log, day: day, settings: settings, now: now)
                if write(try ReportFiles.render(report), day: name) {
                    logger.warning("report \(name): files were missing under \(files.directory); rewritten (figures as of now)")
                    pass.rewritten.append(name)
                }
                continue
            }
            let report = try await LostLeadCostReport.build(runner: runner, log: log, day: day, settings: settings, now: now)
            let renderings = try ReportFiles.render(report)
            _ = write(renderings, day: name)
            let event = ReportProduced(
                reportID: UUIDv7.make(at: now), day: name, timeZone: settings.timeZone.identifier, summary: report.summary,
                reportSHA256: ContentDigest.sha256(renderings[.json] ?? ""), run: run)
            if try await log.recordReport(event) != nil {
                logger.notice(
                    "report \(name) produced (\(run.rawValue)): \(report.totals.received) received, \(report.totals.dead) lost; files in \(files.directory)"
                )
                pass.produced.append(name)
            }
        }
        return pass
    }

    /// When the next pass is worth running at the latest: the next scheduled time.
    public func nextDueAt() -> Timestamp { schedule.nextDueAt(after: clock.now()) }

    /// Writes the files; a failure is logged (by the setting's name, so the owner knows what to fix) and reported as
    /// false, never thrown: the report is still recorded and announced.
    private func write(_ renderings: [ReportFormat: String], day: String) -> Bool {
        do {
            try files.write(renderings, day: day)
            return true
        } catch {
            logger.error(
                "report \(day): cannot write its files under LEADLEDGER_REPORTS_DIR=\(files.directory): \(error); retried on the next pass"
            )
            return false
        }
    }
}

/// What one pass did: days whose report it produced, days whose missing files it rewrote.
public struct ReportPass: Sendable, Equatable {
    public var produced: [String] = []
    public var rewritten: [String] = []

    public init() {}
}
