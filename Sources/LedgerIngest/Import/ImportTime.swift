import Foundation
import LedgerCore

/// Reads a lead's original time from an export cell.
///
/// Two families, because those are what exports hold: ISO 8601 (`2026-11-20T14:03:00+03:00`, `…Z`, with or without
/// seconds and fraction, `T` or a space) from APIs and logs, and `DD.MM.YYYY HH:MM[:SS]` from Russian Excel. A time
/// without an offset (Excel never writes one) is wall-clock time in `timeZone`, which is `LEADLEDGER_TIMEZONE`: the
/// zone the owner reads reports in is the zone their spreadsheet was typed in. A date without a time of day is
/// refused rather than read as midnight: the original time is what the import keeps, and it decides the duplicate
/// window; a made-up midnight would put every such lead in one window.
public struct ImportTime: Sendable {
    public let timeZone: TimeZone

    public init(timeZone: TimeZone) {
        self.timeZone = timeZone
    }

    /// The instant, or why the text is not one (a sentence for the `line N:` list).
    public func parse(_ text: String) -> Result<Timestamp, ImportTimeError> {
        var cursor = Cursor(Array(text.trimmingCharacters(in: .whitespaces).utf8))
        guard let date = cursor.date() else { return .failure(.unreadable) }
        guard cursor.skipDateTimeSeparator() else {
            return .failure(cursor.atEnd ? .noTimeOfDay : .unreadable)
        }
        guard let hour = cursor.number(digits: 1...2), cursor.take(":"), let minute = cursor.number(digits: 2...2) else {
            return .failure(.unreadable)
        }
        var second = 0
        var millisecond = 0
        if cursor.take(":") {
            guard let value = cursor.number(digits: 2...2) else { return .failure(.unreadable) }
            second = value
            if cursor.take(".") || cursor.take(",") {
                guard let fraction = cursor.fractionMilliseconds() else { return .failure(.unreadable) }
                millisecond = fraction
            }
        }
        let offset: Int?
        switch cursor.offsetSeconds() {
        case .none: offset = nil
        case .some(.none): return .failure(.unreadable)
        case .some(.some(let seconds)): offset = seconds
        }
        guard cursor.atEnd else { return .failure(.unreadable) }
        guard (1...12).contains(date.month), (1...Self.days(inMonth: date.month, year: date.year)).contains(date.day),
            hour < 24, minute < 60, second < 60
        else { return .failure(.noSuchTime) }
        let wallClock = DateComponents(
            year: date.year, month: date.month, day: date.day, hour: hour, minute: minute, second: second)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = offset.flatMap { TimeZone(secondsFromGMT: $0) } ?? timeZone
        guard let instant = calendar.date(from: wallClock) else { return .failure(.noSuchTime) }
        return .success(Timestamp(instant).adding(milliseconds: Int64(millisecond)))
    }

    private static func days(inMonth month: Int, year: Int) -> Int {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// ASCII scanning over the cell's bytes.
    private struct Cursor {
        let bytes: [UInt8]
        var index = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var atEnd: Bool { index == bytes.count }

        mutating func take(_ scalar: Unicode.Scalar) -> Bool {
            guard index < bytes.count, bytes[index] == UInt8(ascii: scalar) else { return false }
            index += 1
            return true
        }

        mutating func number(digits: ClosedRange<Int>) -> Int? {
            var value = 0
            var count = 0
            while index < bytes.count, count < digits.upperBound, (0x30...0x39).contains(bytes[index]) {
                value = value * 10 + Int(bytes[index] - 0x30)
                count += 1
                index += 1
            }
            return digits.contains(count) ? value : nil
        }

        /// `YYYY-MM-DD` or `DD.MM.YYYY` (day and month may have one digit).
        mutating func date() -> (year: Int, month: Int, day: Int)? {
            let start = index
            if let year = number(digits: 4...4), take("-") {
                guard let month = number(digits: 2...2), take("-"), let day = number(digits: 2...2) else { return nil }
                return (year, month, day)
            }
            index = start
            guard let day = number(digits: 1...2), take("."), let month = number(digits: 1...2), take("."),
                let year = number(digits: 4...4)
            else { return nil }
            return (year, month, day)
        }

        /// `T`, or spaces (Excel), optionally after a comma (`20.11.2026, 14:03`).
        mutating func skipDateTimeSeparator() -> Bool {
            if take("T") || take("t") { return true }
            _ = take(",")
            var skipped = false
            while take(" ") { skipped = true }
            return skipped && !atEnd
        }

        /// Up to milliseconds; further digits are read and dropped.
        mutating func fractionMilliseconds() -> Int? {
            var millis = 0
            var count = 0
            while index < bytes.count, (0x30...0x39).contains(bytes[index]) {
                if count < 3 { millis = millis * 10 + Int(bytes[index] - 0x30) }
                count += 1
                index += 1
            }
            guard count > 0 else { return nil }
            if count < 3 {
                for _ in count..<3 { millis *= 10 }
            }
            return millis
        }

        /// nil: no offset. `.some(nil)`: an unreadable one. `Z`, `±HH`, `±HH:MM`, `±HHMM`, after optional spaces.
        mutating func offsetSeconds() -> Int?? {
            while take(" ") {}
            if atEnd { return .none }
            if take("Z") || take("z") { return .some(0) }
            let sign: Int
            if take("+") {
                sign = 1
            } else if take("-") {
                sign = -1
            } else {
                return .some(nil)
            }
            guard let hours = number(digits: 2...2), hours <= 18 else { return .some(nil) }
            _ = take(":")
            let minutes = atEnd ? 0 : number(digits: 2...2)
            guard let minutes, minutes < 60 else { return .some(nil) }
            return .some(sign * (hours * 3600 + minutes * 60))
        }
    }
}

/// Why a time cell was not read.
public enum ImportTimeError: Error, Equatable, Sendable, CustomStringConvertible {
    case unreadable
    case noTimeOfDay
    case noSuchTime

    public var description: String {
        switch self {
        case .unreadable:
            "The time is not readable: use ISO 8601 (2026-11-20T14:03:00+03:00) or DD.MM.YYYY HH:MM[:SS]."
        case .noTimeOfDay: "The time has a date but no time of day (HH:MM)."
        case .noSuchTime: "The time names a day or hour that does not exist."
        }
    }
}
