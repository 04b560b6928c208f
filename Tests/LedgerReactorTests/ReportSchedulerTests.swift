import Foundation
import LedgerCore
import LedgerProjections
import LedgerReactor
import LedgerStore
import LedgerTesting
import Logging
import Testing

/// The nightly report's scheduler against a real log and a clock the test moves: nothing before
/// `LEADLEDGER_REPORT_AT`, one report at it, still one after a restart in the same minute or a clock that goes
/// backwards, missed days made up for on start, missing files rewritten without a second event.
///
/// Europe/Moscow is UTC+3 all year: 09:00 there is 06:00Z.
struct ReportSchedulerTests {
    let moscow = TimeZone(identifier: "Europe/Moscow") ?? .current

    private func at(_ text: String) throws -> Timestamp { try #require(Timestamp(iso8601: text)) }

    /// A log whose first lead arrived at `firstLead`, a scheduler over it at 09:00 Moscow, files in the fixture.
    private struct World {
        let fixture: TemporaryLog
        let reports: String
        let moscow: TimeZone

        var clock: ManualClock { fixture.clock }
        var log: EventLog { fixture.log }

        /// A scheduler as a fresh `react` would build it: its own read-model handle over the same files.
        func scheduler(directory: String? = nil) throws -> ReportScheduler {
            ReportScheduler(
                log: log, runner: try ProjectionRunner(log: log),
                schedule: ReportSchedule(hour: 9, minute: 0, timeZone: moscow),
                files: ReportFiles(directory: directory ?? reports),
                settings: .init(timeZone: moscow, leadCost: 150, currency: "RUB"), clock: clock,
                logger: Logger(label: "test.reports"))
        }

        func lead(at time: Timestamp) throws {
            clock.set(time)
            _ = try log.receive(
                NewLead(leadID: LeadID.make(at: time), receivedAt: time, personal: PersonalData(phone: "+79160000001")))
        }

        func produced() throws -> [ReportProduced] {
            try log.events(EventQuery(stream: SystemStream.alerts, type: .reportProduced, limit: 1000)).compactMap {
                if case .reportProduced(let report) = try $0.decode() { report } else { nil }
            }
        }
    }

    private func world(firstLead: String) throws -> World {
        let fixture = try TemporaryLog(start: try at(firstLead))
        let world = World(fixture: fixture, reports: fixture.directory.file("reports"), moscow: moscow)
        try world.lead(at: try at(firstLead))
        return world
    }

    @Test func beforeTheScheduledTimeNothingAtItOneReport() async throws {
        let world = try world(firstLead: "2026-11-27T07:00:00Z")  // 10:00 Moscow on the 27th
        let scheduler = try world.scheduler()

        world.clock.set(try at("2026-11-28T05:59:59Z"))  // 08:59:59 Moscow on the 28th
        #expect(try await scheduler.pass() == ReportPass())
        #expect(try world.produced().isEmpty)

        world.clock.set(try at("2026-11-28T06:00:00Z"))
        #expect(try await scheduler.pass().produced == ["2026-11-27"])
        let report = try #require(try world.produced().first)
        #expect(report.day == "2026-11-27")
        #expect(report.run == .nightly)
        #expect(report.timeZone == "Europe/Moscow")
        #expect(report.summary.received == 1 && report.summary.pending == 1 && report.summary.reconciles)
        #expect(report.summary.leadCost == "150")

        let files = ReportFiles(directory: world.reports)
        #expect(files.missing(day: "2026-11-27").isEmpty)
        let json = try String(contentsOfFile: files.path(day: "2026-11-27", format: .json), encoding: .utf8)
        #expect(ContentDigest.sha256(json) == report.reportSHA256, "the event names the JSON file written with it")

        // Recorded on the 28th in system:alerts, the report is not an alert raised on the 28th.
        let the28th = try await LostLeadCostReport.build(
            runner: try ProjectionRunner(log: world.log), log: world.log,
            day: try #require(ReportDay("2026-11-28", timeZone: moscow)),
            settings: .init(timeZone: moscow), now: world.clock.now())
        #expect(the28th.alertsRaised.total == 0)
    }

    @Test func aRestartInTheSameMinuteAndAClockGoingBackwardsProduceNothingMore() async throws {
        let world = try world(firstLead: "2026-11-27T07:00:00Z")
        world.clock.set(try at("2026-11-28T06:00:05Z"))
        #expect(try await world.scheduler().pass().produced == ["2026-11-27"])

        // A restart within the scheduled minute: a new scheduler over a newly opened log.
        world.clock.set(try at("2026-11-28T06:00:40Z"))
        let reopened = try EventLog.open(path: world.log.path, clock: world.clock)
        let restarted = ReportScheduler(
            log: reopened, runner: try ProjectionRunner(log: reopened),
            schedule: ReportSchedule(hour: 9, minute: 0, timeZone: moscow),
            files: ReportFiles(directory: world.reports), settings: .init(timeZone: moscow), clock: world.clock,
            logger: Logger(label: "test.reports"))
        #expect(try await restarted.pass() == ReportPass())

        // The clock goes back before the scheduled time, then forward over it again.
        world.clock.set(try at("2026-11-28T05:00:00Z"))
        #expect(try await restarted.pass() == ReportPass())
        world.clock.set(try at("2026-11-28T06:01:00Z"))
        #expect(try await restarted.pass() == ReportPass())
        #expect(try world.produced().count == 1)
    }

    @Test func downOverTheScheduledTimeCatchesUpOldestFirstFromTheFirstEvent() async throws {
        let world = try world(firstLead: "2026-11-24T07:00:00Z")  // the log begins on the 24th
        world.clock.set(try at("2026-11-28T11:00:00Z"))  // 14:00 Moscow: the 27th is due, five hours late
        #expect(try await world.scheduler().pass().produced == ["2026-11-24", "2026-11-25", "2026-11-26", "2026-11-27"])
        let produced = try world.produced()
        #expect(produced.map(\.day) == ["2026-11-24", "2026-11-25", "2026-11-26", "2026-11-27"])
        #expect(produced.allSatisfy { $0.run == .catchUp })
        #expect(produced.first?.summary.received == 1, "the first lead is on the 24th")
        for day in produced.map(\.day) { #expect(ReportFiles(directory: world.reports).missing(day: day).isEmpty) }
    }

    @Test func catchUpLooksBackAWeekAtMost() async throws {
        let world = try world(firstLead: "2026-11-01T07:00:00Z")
        world.clock.set(try at("2026-11-28T06:00:00Z"))
        let produced = try await world.scheduler().pass().produced
        #expect(produced.count == ReportSchedule.catchUpDays)
        #expect(produced.first == "2026-11-21" && produced.last == "2026-11-27")
    }

    @Test func missingFilesAreRewrittenWithoutASecondEvent() async throws {
        let world = try world(firstLead: "2026-11-27T07:00:00Z")
        world.clock.set(try at("2026-11-28T06:00:00Z"))
        let scheduler = try world.scheduler()
        try await scheduler.pass()
        let files = ReportFiles(directory: world.reports)
        try FileManager.default.removeItem(atPath: files.path(day: "2026-11-27", format: .md))
        try FileManager.default.removeItem(atPath: files.path(day: "2026-11-27", format: .html))

        world.clock.set(try at("2026-11-28T06:00:30Z"))
        let pass = try await scheduler.pass()
        #expect(pass.produced.isEmpty)
        #expect(pass.rewritten == ["2026-11-27"])
        #expect(files.missing(day: "2026-11-27").isEmpty)
        #expect(try world.produced().count == 1)
        #expect(try await scheduler.pass() == ReportPass(), "nothing left to do")
    }

    @Test func filesThatCannotBeWrittenDoNotHoldTheReportBackAndFollowLater() async throws {
        let world = try world(firstLead: "2026-11-27T07:00:00Z")
        // A regular file where the reports directory's parent should be: nothing can be created under it.
        let blocker = world.fixture.directory.file("blocked")
        try Data("x".utf8).write(to: URL(fileURLWithPath: blocker))
        let directory = blocker + "/reports"
        let scheduler = try world.scheduler(directory: directory)
        world.clock.set(try at("2026-11-28T06:00:00Z"))
        #expect(try await scheduler.pass().produced == ["2026-11-27"])
        #expect(try world.produced().count == 1, "the owner is still told")

        try FileManager.default.removeItem(atPath: blocker)
        #expect(try await scheduler.pass().rewritten == ["2026-11-27"])
        #expect(ReportFiles(directory: directory).missing(day: "2026-11-27").isEmpty)
        #expect(try world.produced().count == 1)
    }

    @Test func theScheduleNamesTheDueDayInTheConfiguredZone() throws {
        let schedule = ReportSchedule(hour: 9, minute: 0, timeZone: moscow)
        let day = try #require(ReportDay("2026-11-27", timeZone: moscow))
        #expect(schedule.dueAt(day) == (try at("2026-11-28T06:00:00Z")))
        #expect(schedule.latestDueDay(at: try at("2026-11-28T05:59:59Z")).description == "2026-11-26")
        #expect(schedule.latestDueDay(at: try at("2026-11-28T06:00:00Z")).description == "2026-11-27")
        #expect(schedule.nextDueAt(after: try at("2026-11-28T05:00:00Z")) == (try at("2026-11-28T06:00:00Z")))
        #expect(schedule.nextDueAt(after: try at("2026-11-28T06:00:00Z")) == (try at("2026-11-29T06:00:00Z")))
        let onTime = schedule.dueDays(at: try at("2026-11-28T06:09:00Z"), firstEventAt: try at("2026-11-27T00:00:00Z"))
        #expect(onTime.map(\.run) == [.nightly])
        let late = schedule.dueDays(at: try at("2026-11-28T06:11:00Z"), firstEventAt: try at("2026-11-27T00:00:00Z"))
        #expect(late.map(\.run) == [.catchUp])
        #expect(schedule.dueDays(at: try at("2026-11-28T06:00:00Z"), firstEventAt: nil).isEmpty, "an empty log")
    }
}
