import Foundation

/// A UTC instant with millisecond precision.
///
/// The log stores times as integer milliseconds so that the hash chain never depends on how a floating-point date
/// is printed, and so that a time written today reads back bit-for-bit identical next year.
public struct Timestamp: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var millisecondsSinceEpoch: Int64

    public init(millisecondsSinceEpoch: Int64) {
        self.millisecondsSinceEpoch = millisecondsSinceEpoch
    }

    public init(_ date: Date) {
        self.millisecondsSinceEpoch = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    }

    public var date: Date { Date(timeIntervalSince1970: Double(millisecondsSinceEpoch) / 1000) }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.millisecondsSinceEpoch < rhs.millisecondsSinceEpoch
    }

    public func adding(milliseconds: Int64) -> Timestamp {
        Timestamp(millisecondsSinceEpoch: millisecondsSinceEpoch + milliseconds)
    }

    public func adding(seconds: Int64) -> Timestamp { adding(milliseconds: seconds * 1000) }

    /// ISO 8601 in UTC with milliseconds, e.g. `2026-11-29T09:00:00.000Z`: what the CLI and the API print.
    public var iso8601: String {
        date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }

    public var description: String { iso8601 }

    /// Parses `2026-11-29T09:00:00Z`, `2026-11-29T09:00:00.123Z` or a bare date `2026-11-29` (UTC midnight).
    public init?(iso8601 text: String) {
        let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        let withoutFraction = Date.ISO8601FormatStyle()
        let dateOnly = Date.ISO8601FormatStyle().year().month().day()
        if let date = try? withFraction.parse(text) {
            self.init(date)
        } else if let date = try? withoutFraction.parse(text) {
            self.init(date)
        } else if let date = try? dateOnly.parse(text) {
            self.init(date)
        } else {
            return nil
        }
    }

    public init(from decoder: any Decoder) throws {
        millisecondsSinceEpoch = try decoder.singleValueContainer().decode(Int64.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(millisecondsSinceEpoch)
    }
}

/// Where "now" comes from, and how long a wait takes. Injected everywhere a decision depends on time, so tests can
/// move the clock, and a wait in a test (the pacer's, a backoff's) passes at once instead of in real seconds.
public protocol LedgerClock: Sendable {
    func now() -> Timestamp
    /// Returns once `duration` has passed on this clock, or early when the task is cancelled.
    func sleep(for duration: Duration) async
}

/// The machine's wall clock.
public struct SystemClock: LedgerClock {
    public init() {}
    public func now() -> Timestamp { Timestamp(Date()) }
    public func sleep(for duration: Duration) async { try? await Task.sleep(for: duration) }
}

/// A clock that only moves when told to; for tests and generated histories.
public final class ManualClock: LedgerClock, @unchecked Sendable {
    // @unchecked Sendable because `current` is only touched under `lock`.
    private let lock = NSLock()
    private var current: Timestamp

    public init(_ start: Timestamp) { current = start }

    public func now() -> Timestamp { lock.withLock { current } }

    public func advance(milliseconds: Int64) { lock.withLock { current = current.adding(milliseconds: milliseconds) } }

    public func set(_ timestamp: Timestamp) { lock.withLock { current = timestamp } }

    /// Moves the clock forward by `duration` and returns at once: time in a test passes only when its code waits.
    public func sleep(for duration: Duration) async {
        guard duration > .zero else { return }
        advance(milliseconds: duration.milliseconds)
    }
}
