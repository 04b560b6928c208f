import GRDB
import LedgerCore

/// Maintains `hourly_activity`: per UTC hour, how many leads arrived and what delivery did. The dashboard draws its
/// last-24-hours charts from it with one bounded query instead of scanning the log or the per-lead tables.
///
/// Buckets are UTC hours on purpose: the read model must not depend on a setting (`LEADLEDGER_TIMEZONE`) that can
/// change without a rebuild. The page labels each bucket in the configured time zone; for the zones of whole-hour
/// offsets (all of Russia's) a UTC hour is exactly a local hour.
///
/// Each batch adds its counts to the rows it touches (`ON CONFLICT … DO UPDATE … + excluded`), so folding in small or
/// large batches gives the same rows: what "rebuild equals incremental" checks.
public struct HourlyActivityProjector: Projector {
    public let name = "hourly_activity"
    public let version = 1

    public init() {}

    public func createTables(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE hourly_activity (
                    hour_start INTEGER PRIMARY KEY CHECK (hour_start % 3600000 = 0),
                    received INTEGER NOT NULL,
                    spam INTEGER NOT NULL,
                    delivered INTEGER NOT NULL,
                    failed INTEGER NOT NULL,
                    dead_lettered INTEGER NOT NULL
                ) STRICT;
                """)
    }

    public func dropTables(_ db: Database) throws {
        try db.execute(sql: "DROP TABLE IF EXISTS hourly_activity")
    }

    public func apply(_ events: [ProjectedEvent], _ db: Database) throws {
        var hours: [Int64: HourlyActivity] = [:]
        for projected in events {
            guard let (timestamp, counts) = HourlyActivity.contribution(of: projected) else { continue }
            let start = HourlyActivity.hourStart(of: timestamp)
            hours[start, default: HourlyActivity(hourStart: Timestamp(millisecondsSinceEpoch: start))].add(counts)
        }
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO hourly_activity (hour_start, received, spam, delivered, failed, dead_lettered)
                VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (hour_start) DO UPDATE SET
                    received = received + excluded.received, spam = spam + excluded.spam,
                    delivered = delivered + excluded.delivered, failed = failed + excluded.failed,
                    dead_lettered = dead_lettered + excluded.dead_lettered
                """)
        // Sorted, so the same batch always writes in the same order (nothing depends on it, but it is cheap).
        for start in hours.keys.sorted() {
            guard let row = hours[start] else { continue }
            try statement.execute(arguments: [start, row.received, row.spam, row.delivered, row.failed, row.deadLettered])
        }
    }
}
