import Foundation
import LedgerCore
import LedgerProjections

/// When each day's report is due, and which days a pass must produce: pure, the time passed in, so tests drive it
/// with any clock.
///
/// The report of day D is due on D + 1 at `LEADLEDGER_REPORT_AT` in `LEADLEDGER_TIMEZONE`. A pass considers the
/// newest due day and the `catchUpDays - 1` before it (a reactor down over the scheduled time, or a clock that jumped
/// forward, makes up for at most that many), never a day that ended before the log's first event. Whether a day was
/// already produced is the log's business (`EventStore.recordReport`), not the schedule's: that is what survives
/// restarts and clocks going backwards.
public struct ReportSchedule: Sendable {
    /// Days looked back on start: a week of missed reports is made up for, older ones are left to `leadledger report`.
    public static let catchUpDays = 7
    /// A report produced within this long after its scheduled time is `nightly`, later `catch_up`: a deploy or
    /// restart at 09:00 is still the nightly run.
    public static let onTimeGrace: Duration = .seconds(600)

    public var hour: Int
    public var minute: Int
    public var timeZone: TimeZone
    public var catchUpDays: Int

    public init(hour: Int, minute: Int, timeZone: TimeZone, catchUpDays: Int = ReportSchedule.catchUpDays) {
        self.hour = hour
        self.minute = minute
        self.timeZone = timeZone
        self.catchUpDays = catchUpDays
    }

    /// When the report of `day` is due: the next day at `hour:minute` local time.
    public func dueAt(_ day: ReportDay) -> Timestamp {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let next = day.next()
        let date = calendar.date(
            from: DateComponents(year: next.year, month: next.month, day: next.day, hour: hour, minute: minute))
        return date.map(Timestamp.init) ?? (try? next.interval().start) ?? Timestamp(millisecondsSinceEpoch: 0)
    }

    /// The newest day whose report is due at `now`: yesterday once today's scheduled time has come, else the day
    /// before.
    public func latestDueDay(at now: Timestamp) -> ReportDay {
        let yesterday = ReportDay(containing: now, timeZone: timeZone).previous()
        return now >= dueAt(yesterday) ? yesterday : yesterday.previous()
    }

    /// The days a pass at `now` must have reports of, oldest first, each with the run it would be produced by now.
    /// Days that ended at or before `firstEventAt` are left out (the ledger did not exist then).
    public func dueDays(at now: Timestamp, firstEventAt: Timestamp?) -> [(day: ReportDay, run: ReportRun)] {
        guard let firstEventAt else { return [] }
        var days: [ReportDay] = []
        var day = latestDueDay(at: now)
        for _ in 0..<max(0, catchUpDays) {
            guard let end = try? day.interval().end, end > firstEventAt else { break }
            days.append(day)
            day = day.previous()
        }
        return days.reversed().map { day in
            let late = now.millisecondsSinceEpoch - dueAt(day).millisecondsSinceEpoch
            return (day, late < Self.onTimeGrace.milliseconds ? .nightly : .catchUp)
        }
    }

    /// The next scheduled time after `now`: when a sleeping scheduler should look again at the latest.
    public func nextDueAt(after now: Timestamp) -> Timestamp {
        let today = ReportDay(containing: now, timeZone: timeZone)
        let todays = dueAt(today.previous())
        return todays > now ? todays : dueAt(today)
    }
}
