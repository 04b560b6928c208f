import Foundation
import LedgerCore

/// Parses `Retry-After` (RFC 9110 §10.2.3): delay-seconds, or an IMF-fixdate such as
/// `Sun, 06 Nov 1994 08:49:37 GMT`.
///
/// AmoCRM does not document the header at all (its 429 usually has none), so anything unreadable is nil and the
/// caller falls back to its own backoff. A date in the past gives zero. Capping is the policy's job, not the parser's.
public enum RetryAfter {
    public static func parse(_ raw: String?, receivedAt: Timestamp) -> Duration? {
        guard let text = raw?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        if text.utf8.allSatisfy({ (0x30...0x39).contains($0) }) {
            // More than ten digits is centuries: treat as unreadable rather than overflow.
            guard text.utf8.count <= 10, let seconds = Int64(text) else { return nil }
            return .seconds(seconds)
        }
        guard let date = imfFixdate(text) else { return nil }
        let millis = date.millisecondsSinceEpoch - receivedAt.millisecondsSinceEpoch
        return .milliseconds(max(0, millis))
    }

    /// `Sun, 06 Nov 1994 08:49:37 GMT`, parsed by hand: no locale or formatter state can change the result.
    static func imfFixdate(_ text: String) -> Timestamp? {
        let parts = text.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 6, parts[0].hasSuffix(","), parts[5] == "GMT" else { return nil }
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard let day = Int(parts[1]), (1...31).contains(day),
            let monthIndex = months.firstIndex(of: String(parts[2])),
            let year = Int(parts[3]), (1970...9999).contains(year)
        else { return nil }
        let clock = parts[4].split(separator: ":")
        guard clock.count == 3, let hour = Int(clock[0]), let minute = Int(clock[1]), let second = Int(clock[2]),
            (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second)
        else { return nil }
        let days = daysFromCivil(year: year, month: monthIndex + 1, day: day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        return Timestamp(millisecondsSinceEpoch: seconds * 1000)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
