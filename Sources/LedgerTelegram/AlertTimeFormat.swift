import Foundation
import LedgerCore

/// Times and durations in alert texts, built from calendar components by hand: no locale data or formatter state
/// can change what the owner reads, and tests can pin the exact text.
enum AlertTimeFormat {
    /// `29.11.2026 12:05 (UTC+3)` in Russian, `2026-11-29 12:05 (UTC+3)` in English: the owner's wall clock, with the
    /// offset so nobody has to guess which zone the server thinks it is in.
    static func time(_ timestamp: Timestamp, in timeZone: TimeZone, locale: AlertLocale) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let date = timestamp.date
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        let year = parts.year ?? 1970
        let month = twoDigits(parts.month ?? 1)
        let day = twoDigits(parts.day ?? 1)
        let clock = "\(twoDigits(parts.hour ?? 0)):\(twoDigits(parts.minute ?? 0))"
        let offset = utcOffset(timeZone.secondsFromGMT(for: date))
        switch locale {
        case .ru: return "\(day).\(month).\(year) \(clock) (\(offset))"
        case .en: return "\(year)-\(month)-\(day) \(clock) (\(offset))"
        }
    }

    /// `UTC`, `UTC+3`, `UTC-4`, `UTC+5:30`.
    static func utcOffset(_ seconds: Int) -> String {
        guard seconds != 0 else { return "UTC" }
        let sign = seconds < 0 ? "-" : "+"
        let minutes = abs(seconds) / 60
        let hours = minutes / 60
        let rest = minutes % 60
        return rest == 0 ? "UTC\(sign)\(hours)" : "UTC\(sign)\(hours):\(twoDigits(rest))"
    }

    /// `меньше минуты`, `12 мин`, `1 ч 5 мин`, `2 д 3 ч`: two units at most, rounded down.
    static func duration(milliseconds: Int64, wording: AlertWording) -> String {
        let minutes = max(0, milliseconds) / 60_000
        if minutes < 1 { return wording.lessThanAMinute }
        if minutes < 60 { return "\(minutes) \(wording.minutes)" }
        let hours = minutes / 60
        if hours < 24 {
            let rest = minutes % 60
            return rest == 0 ? "\(hours) \(wording.hours)" : "\(hours) \(wording.hours) \(rest) \(wording.minutes)"
        }
        let days = hours / 24
        let restHours = hours % 24
        return restHours == 0 ? "\(days) \(wording.days)" : "\(days) \(wording.days) \(restHours) \(wording.hours)"
    }

    private static func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
