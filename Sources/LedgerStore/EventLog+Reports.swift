import GRDB
import LedgerCore

/// A `ReportProduced` as the log holds it.
public struct ProducedReport: Sendable, Equatable {
    public var produced: ReportProduced
    public var recordedAt: Timestamp

    public init(produced: ReportProduced, recordedAt: Timestamp) {
        self.produced = produced
        self.recordedAt = recordedAt
    }
}

extension EventLog {
    /// The `ReportProduced` of `day` (`YYYY-MM-DD`), if any. Reports live in `system:alerts`; this reads only that
    /// stream's `ReportProduced` rows (one a day, so a few thousand after years).
    public func producedReport(day: String) throws(StoreError) -> ProducedReport? {
        try read { db in try Self.producedReport(db, day: day) }
    }

    /// Which of `days` already have a `ReportProduced`: one read of the stream for a scheduler pass's whole window.
    public func producedReportDays(among days: [String]) throws(StoreError) -> Set<String> {
        guard !days.isEmpty else { return [] }
        return try read { db in
            let marks = Array(repeating: "?", count: days.count).joined(separator: ", ")
            let found = try String.fetchAll(
                db,
                sql: """
                    SELECT json_extract(data, '$.day') FROM event
                    WHERE stream = ? AND type = ? AND json_extract(data, '$.day') IN (\(marks))
                    """,
                arguments: StatementArguments([SystemStream.alerts, EventType.reportProduced.rawValue] + days))
            return Set(found)
        }
    }

    /// Appends `produced` unless a report of the same day is already in the log, checked under the write lock in the
    /// same transaction: two passes, two processes or a clock gone backwards can never produce a day twice. Returns
    /// the event written, or nil when the day already had one (nothing written).
    @discardableResult
    public func recordReport(_ produced: ReportProduced) throws(StoreError) -> RecordedEvent? {
        let event = LedgerEvent.reportProduced(produced)
        let data = try Self.encode(event)
        let now = clock.now()
        return try writeImmediate { db in
            if try Self.producedReport(db, day: produced.day) != nil { return nil }
            var writer = try ChainWriter(db, recordedAt: now)
            return try writer.append(
                stream: event.stream, type: event.type, schemaVersion: event.schemaVersion, data: data, expected: .any)
        }
    }

    /// `AlertRaised` recorded in [`from`, `to`), counted by kind. Only raises: resolutions, deliveries and the
    /// nightly report's own `ReportProduced` in the same stream are not alerts raised.
    public func alertsRaised(from: Timestamp, to: Timestamp) throws(StoreError) -> [String: Int] {
        try read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT json_extract(data, '$.kind'), COUNT(*) FROM event
                    WHERE stream = ? AND type = ? AND recorded_at >= ? AND recorded_at < ?
                    GROUP BY 1
                    """,
                arguments: [
                    SystemStream.alerts, EventType.alertRaised.rawValue, from.millisecondsSinceEpoch,
                    to.millisecondsSinceEpoch,
                ])
            var counts: [String: Int] = [:]
            for row in rows { counts[row[0] as String? ?? "", default: 0] += row[1] as Int }
            return counts
        }
    }

    /// When the log's first event was recorded; nil for an empty log. A report is never produced for a day that
    /// ended before it: the ledger was not there to see it.
    public func firstEventAt() throws(StoreError) -> Timestamp? {
        try read { db in
            try Int64.fetchOne(db, sql: "SELECT recorded_at FROM event ORDER BY seq LIMIT 1")
                .map(Timestamp.init(millisecondsSinceEpoch:))
        }
    }

    private static func producedReport(_ db: Database, day: String) throws -> ProducedReport? {
        let rows = try RecordedEvent.fetchAll(
            db,
            sql: """
                SELECT \(RecordedEvent.columns) FROM event
                WHERE stream = ? AND type = ? AND json_extract(data, '$.day') = ? ORDER BY seq LIMIT 1
                """,
            arguments: [SystemStream.alerts, EventType.reportProduced.rawValue, day])
        guard let row = rows.first, case .reportProduced(let produced) = try row.decode(strict: false) else { return nil }
        return ProducedReport(produced: produced, recordedAt: row.recordedAt)
    }
}
