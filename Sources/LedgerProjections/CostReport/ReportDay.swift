import Foundation
import LedgerCore

/// A calendar day in the configured time zone, and the UTC interval it covers (23 or 25 hours on DST days).
public struct ReportDay: Sendable, Equatable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int
    public var timeZone: TimeZone

    /// Parses `YYYY-MM-DD`; nil for anything else or an impossible date.
    public init?(_ text: String, timeZone: TimeZone) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
        self.timeZone = timeZone
        guard let start = try? interval().start,
            Self.calendar(timeZone).dateComponents([.year, .month, .day], from: start.date)
                == DateComponents(year: year, month: month, day: day)
        else { return nil }
    }

    /// The day containing `timestamp` in `timeZone`.
    public init(containing timestamp: Timestamp, timeZone: TimeZone) {
        let components = Self.calendar(timeZone).dateComponents([.year, .month, .day], from: timestamp.date)
        year = components.year ?? 1970
        month = components.month ?? 1
        day = components.day ?? 1
        self.timeZone = timeZone
    }

    /// The day before this one.
    public func previous() -> ReportDay { adding(days: -1) }

    /// The day after this one.
    public func next() -> ReportDay { adding(days: 1) }

    /// Counted from noon, which every day has whatever its DST transitions.
    private func adding(days: Int) -> ReportDay {
        let calendar = Self.calendar(timeZone)
        let noon =
            calendar.date(from: DateComponents(year: year, month: month, day: day, hour: 12)) ?? Date(timeIntervalSince1970: 0)
        let moved = calendar.date(byAdding: .day, value: days, to: noon) ?? noon
        return ReportDay(containing: Timestamp(moved), timeZone: timeZone)
    }

    public var description: String { String(format: "%04d-%02d-%02d", year, month, day) }

    /// [local midnight, next local midnight) in UTC milliseconds.
    public func interval() throws -> (start: Timestamp, end: Timestamp) {
        let calendar = Self.calendar(timeZone)
        guard let start = calendar.date(from: DateComponents(year: year, month: month, day: day)),
            let end = calendar.date(byAdding: .day, value: 1, to: start)
        else { throw ReportError(message: "no such day \(description) in \(timeZone.identifier)") }
        return (Timestamp(start), Timestamp(end))
    }

    private static func calendar(_ timeZone: TimeZone) -> Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar
    }
}

/// A report could not be built; the message says why in a user's terms.
public struct ReportError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
