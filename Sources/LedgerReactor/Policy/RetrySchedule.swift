import LedgerCore

/// When a failed lead is tried again, and when the ledger stops trying (the lead is dead-lettered until requeued).
///
/// The default table, by the attempt that just failed: 30 s, 1 min, 2 min, 5 min, 10 min, 20 min, 30 min, 1 h, then
/// every 2 h. The 2-hour tail repeats until even the worst case, every delay cut by the full jitter, spans at least
/// 72 hours: a CRM outage over a long weekend must not cost a lead. With the defaults that is 8 + 39 = 47 retries
/// (48 attempts), nominally 80 h 8 min 30 s, at least 72 h 7 min 39 s.
///
/// Each delay is jittered by ±10 % so leads that failed together do not retry together. A `Retry-After` from the CRM
/// (capped at `maxRetryAfter`) can push the next attempt later, never earlier.
///
/// Attempts only burn while the reactor actually sends: with the circuit breaker open (a ban, an outage) no attempt
/// is made, so a long outage delays leads instead of dead-lettering them.
public struct RetrySchedule: Sendable, Equatable {
    /// The delays after attempts 1, 2, … before the repeating tail.
    public let table: [Duration]
    /// The delay after every attempt past the table…
    public let repeating: Duration
    /// …this many times. Kept as a count, not as entries: a 1 s tail needs about 290,000 of them to cover 72 h.
    public let repeatCount: Int
    /// Fraction each delay may move either way (0.1 = ±10 %).
    public let jitter: Double
    /// A `Retry-After` longer than this is treated as this long: a CRM asking for a day must not park leads for a day.
    public let maxRetryAfter: Duration

    public static let defaultTable: [Duration] = [
        .seconds(30), .seconds(60), .seconds(120), .seconds(300), .seconds(600), .seconds(1200), .seconds(1800),
        .seconds(3600),
    ]

    public static let standard = RetrySchedule(
        table: defaultTable, repeating: .seconds(7200), minimumSpan: .seconds(72 * 3600), jitter: 0.1,
        maxRetryAfter: .seconds(3600))

    /// The standard schedule's guarantees (at least 72 h, ±10 % jitter, `Retry-After` capped at 1 h) over another
    /// table, as `LEADLEDGER_AMOCRM_RETRY_S` gives it: its last delay repeats.
    public static func standard(delaysSeconds: [Int]) -> RetrySchedule {
        let table = delaysSeconds.map { Duration.seconds($0) }
        return RetrySchedule(
            table: table, repeating: table.last ?? .seconds(7200), minimumSpan: .seconds(72 * 3600), jitter: standard.jitter,
            maxRetryAfter: standard.maxRetryAfter)
    }

    /// A schedule from a table whose last entry, `repeating`, recurs until the worst-case span reaches `minimumSpan`.
    public init(table: [Duration], repeating: Duration, minimumSpan: Duration, jitter: Double, maxRetryAfter: Duration) {
        precondition((0..<1).contains(jitter), "jitter must be in [0, 1)")
        precondition(repeating > .zero, "the repeating delay must be positive")
        precondition(table.allSatisfy { $0 > .zero }, "delays must be positive")
        let shrink = 1 - jitter
        let tableTotal = Self.seconds(table.reduce(.zero, +))
        let step = Self.seconds(repeating)
        let needed = Self.seconds(minimumSpan)
        // The smallest count whose worst case reaches the span, from the closed form, then nudged past rounding.
        var count = max(0, Int(((needed / shrink - tableTotal) / step).rounded(.up)))
        while (tableTotal + Double(count) * step) * shrink < needed { count += 1 }
        while count > 0, (tableTotal + Double(count - 1) * step) * shrink >= needed { count -= 1 }
        self.table = table
        self.repeating = repeating
        self.repeatCount = count
        self.jitter = jitter
        self.maxRetryAfter = maxRetryAfter
    }

    /// Every delay in order, the tail written out: for inspection and tests, not for the reactor's hot path.
    public var delays: [Duration] { table + Array(repeating: repeating, count: repeatCount) }

    /// The delay after attempt `attempt` (1-based) failed; nil past the last one.
    public func delay(afterAttempt attempt: Int) -> Duration? {
        guard attempt >= 1, attempt <= table.count + repeatCount else { return nil }
        return attempt <= table.count ? table[attempt - 1] : repeating
    }

    /// The most attempts a lead gets, the first included.
    public var maxAttempts: Int { table.count + repeatCount + 1 }

    public var nominalSpan: Duration { table.reduce(.zero, +) + repeating * repeatCount }

    /// The shortest possible time from the first failure to the last attempt (every delay at full negative jitter).
    public var worstCaseSpan: Duration { nominalSpan * (1 - jitter) }

    /// When to try again after attempt `attempt` (1-based) failed at `failedAt`; nil when the schedule is exhausted
    /// and the lead is dead-lettered.
    public func nextAttempt(
        afterAttempt attempt: Int, failedAt: Timestamp, retryAfter: Duration? = nil,
        using generator: inout some RandomNumberGenerator
    ) -> Timestamp? {
        precondition(attempt >= 1, "attempts are numbered from 1")
        guard let delay = delay(afterAttempt: attempt) else { return nil }
        let base = (delay).milliseconds
        let factor = jitter > 0 ? Double.random(in: (1 - jitter)...(1 + jitter), using: &generator) : 1
        let jittered = max(0, Int64((Double(base) * factor).rounded(.down)))
        var next = failedAt.adding(milliseconds: jittered)
        if let retryAfter {
            let honoured = min(max(retryAfter, .zero), maxRetryAfter).milliseconds
            next = max(next, failedAt.adding(milliseconds: honoured))
        }
        return next
    }

    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

}
