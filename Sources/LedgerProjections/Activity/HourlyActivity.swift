import GRDB
import LedgerCore

/// One hour of activity: leads that arrived in it (spam apart) and the delivery outcomes recorded in it.
///
/// Arrivals are bucketed by the lead's `received_at` (an imported lead counts in the hour it first arrived), outcomes by
/// the time their event was recorded. `failed` counts failed attempts, dead-lettering ones included; `deadLettered`
/// counts the failures that ended a lead's retries.
public struct HourlyActivity: Sendable, Equatable {
    public static let hourMilliseconds: Int64 = 3_600_000

    /// Start of the UTC hour.
    public var hourStart: Timestamp
    public var received: Int64 = 0
    public var spam: Int64 = 0
    public var delivered: Int64 = 0
    public var failed: Int64 = 0
    public var deadLettered: Int64 = 0

    public init(
        hourStart: Timestamp, received: Int64 = 0, spam: Int64 = 0, delivered: Int64 = 0, failed: Int64 = 0,
        deadLettered: Int64 = 0
    ) {
        self.hourStart = hourStart
        self.received = received
        self.spam = spam
        self.delivered = delivered
        self.failed = failed
        self.deadLettered = deadLettered
    }

    /// The start of the UTC hour holding `timestamp` (floor, also before 1970).
    public static func hourStart(of timestamp: Timestamp) -> Int64 {
        let milliseconds = timestamp.millisecondsSinceEpoch
        let remainder = milliseconds % hourMilliseconds
        return milliseconds - (remainder < 0 ? remainder + hourMilliseconds : remainder)
    }

    /// What one event adds, and to which instant's hour; nil for events that count nowhere here.
    static func contribution(of projected: ProjectedEvent) -> (Timestamp, HourlyActivity)? {
        var counts = HourlyActivity(hourStart: Timestamp(millisecondsSinceEpoch: 0))
        switch projected.fact {
        case .received(_, let receivedAt, _, _, _, let spam):
            if spam { counts.spam = 1 } else { counts.received = 1 }
            return (receivedAt, counts)
        case .succeeded:
            counts.delivered = 1
        case .failed(_, _, _, _, let retryable, let nextAttemptAt):
            counts.failed = 1
            // The same rule as `LeadSyncState.applying`: no retry scheduled means the lead is dead.
            if !(retryable && nextAttemptAt != nil) { counts.deadLettered = 1 }
        case .attempted, .alertRaised, .erased, .requeued, .note, .unprojected:
            return nil
        }
        return (projected.recordedAt, counts)
    }

    mutating func add(_ other: HourlyActivity) {
        received += other.received
        spam += other.spam
        delivered += other.delivered
        failed += other.failed
        deadLettered += other.deadLettered
    }

    /// The `hours` hours ending with the one holding `now`, oldest first, hours without activity as zeros. One range
    /// query on the primary key with a LIMIT: the table grows by one row an hour, the answer never exceeds `hours`.
    public static func lastHours(_ hours: Int, endingAt now: Timestamp, store: ReadModelStore) throws -> [HourlyActivity] {
        let count = max(1, min(hours, 24 * 31))
        let last = hourStart(of: now)
        let first = last - Int64(count - 1) * hourMilliseconds
        let stored: [Int64: HourlyActivity] = try store.database.read { db in
            guard try db.tableExists("hourly_activity") else { return [:] }
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT hour_start, received, spam, delivered, failed, dead_lettered FROM hourly_activity
                    WHERE hour_start >= ? AND hour_start <= ? ORDER BY hour_start LIMIT ?
                    """,
                arguments: [first, last, count])
            var byHour: [Int64: HourlyActivity] = [:]
            for row in rows {
                let start: Int64 = row[0]
                byHour[start] = HourlyActivity(
                    hourStart: Timestamp(millisecondsSinceEpoch: start), received: row[1], spam: row[2], delivered: row[3],
                    failed: row[4], deadLettered: row[5])
            }
            return byHour
        }
        return (0..<Int64(count)).map { index in
            let start = first + index * hourMilliseconds
            return stored[start] ?? HourlyActivity(hourStart: Timestamp(millisecondsSinceEpoch: start))
        }
    }
}
