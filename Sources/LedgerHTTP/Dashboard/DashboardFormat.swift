import Foundation
import LedgerCore

/// Times, ages and money as the owner reads them: clock times in the configured time zone (`LEADLEDGER_TIMEZONE`),
/// amounts grouped by thousands with the currency (`LEADLEDGER_CURRENCY`).
struct DashboardFormat: Sendable {
    var timeZone: TimeZone
    var language: String

    private var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar
    }

    private func parts(_ timestamp: Timestamp) -> DateComponents {
        calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: timestamp.date)
    }

    private static func two(_ number: Int?) -> String {
        let value = number ?? 0
        return value < 10 ? "0\(value)" : "\(value)"
    }

    /// `14:05`.
    func clock(_ timestamp: Timestamp) -> String {
        let parts = parts(timestamp)
        return "\(Self.two(parts.hour)):\(Self.two(parts.minute))"
    }

    /// `14:05:09`.
    func clockWithSeconds(_ timestamp: Timestamp) -> String {
        "\(clock(timestamp)):\(Self.two(parts(timestamp).second))"
    }

    /// `27.11 14:05`, day first as both Russian and most of Europe write it.
    func dayAndClock(_ timestamp: Timestamp) -> String {
        let parts = parts(timestamp)
        return "\(Self.two(parts.day)).\(Self.two(parts.month)) \(clock(timestamp))"
    }

    /// An hour bucket's label: `14`.
    func hour(_ timestamp: Timestamp) -> String { Self.two(parts(timestamp).hour) }

    /// `45 с`, `12 мин`, `3 ч 5 мин`, `2 д` (English: s, min, h, d).
    func age(seconds: Int64) -> String {
        let english = language == "en"
        let value = max(0, seconds)
        if value < 60 { return english ? "\(value) s" : "\(value) с" }
        if value < 3600 { return english ? "\(value / 60) min" : "\(value / 60) мин" }
        if value < 86_400 {
            let hours = value / 3600
            let minutes = value % 3600 / 60
            return english ? "\(hours) h \(minutes) min" : "\(hours) ч \(minutes) мин"
        }
        return english ? "\(value / 86_400) d" : "\(value / 86_400) д"
    }

    /// `12 300 ₽` (Russian groups with a no-break space), `12,300 ₽` (English); two decimals only when there are
    /// kopecks. Well-known codes get their sign; any other currency is written as its code.
    func money(_ amount: Decimal, currency: String) -> String {
        var value = amount
        var rounded = Decimal()
        NSDecimalRound(&rounded, &value, 2, .plain)
        let negative = rounded < 0
        let text = NSDecimalNumber(decimal: negative ? -rounded : rounded).stringValue
        let pieces = text.split(separator: ".", omittingEmptySubsequences: false)
        let whole = String(pieces.first ?? "0")
        var fraction = pieces.count > 1 ? String(pieces[1]) : ""
        if !fraction.isEmpty, fraction.count < 2 { fraction += "0" }
        let separator = language == "en" ? "," : "\u{00A0}"
        var grouped = ""
        for (index, digit) in whole.enumerated() {
            if index > 0, (whole.count - index) % 3 == 0 { grouped += separator }
            grouped.append(digit)
        }
        let decimalMark = language == "en" ? "." : ","
        let number = (negative ? "-" : "") + grouped + (fraction.isEmpty ? "" : decimalMark + fraction)
        let signs = ["RUB": "₽", "USD": "$", "EUR": "€", "KZT": "₸", "BYN": "Br"]
        return number + "\u{00A0}" + (signs[currency.uppercased()] ?? currency)
    }
}
