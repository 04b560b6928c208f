import GRDB
import LedgerCore

/// One `AlertRaised` as the dashboard lists it.
public struct RecentAlert: Sendable, Equatable {
    public var seq: Int64
    public var recordedAt: Timestamp
    public var severity: AlertSeverity
    public var kind: String
    public var message: String
}

extension EventLog {
    /// The newest alerts, newest first, at most `limit` (clamped to `maxPageSize`).
    ///
    /// Every alert lives in the one stream `system:alerts`, so this walks the `(stream, version)` unique index
    /// backwards and stops after `limit` rows, however long the log; it never scans the event table.
    public func recentAlerts(limit: Int) throws(StoreError) -> [RecentAlert] {
        let limit = max(0, min(limit, options.maxPageSize))
        return try read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT seq, recorded_at, json_extract(data, '$.severity'), json_extract(data, '$.kind'),
                        json_extract(data, '$.message')
                    FROM event WHERE stream = ? AND type = ? ORDER BY version DESC LIMIT ?
                    """,
                arguments: [SystemStream.alerts, EventType.alertRaised.rawValue, limit])
            return rows.map { row in
                RecentAlert(
                    seq: row[0], recordedAt: Timestamp(millisecondsSinceEpoch: row[1]),
                    severity: (row[2] as String?).flatMap(AlertSeverity.init(rawValue:)) ?? .warning,
                    kind: row[3] as String? ?? "", message: row[4] as String? ?? "")
            }
        }
    }
}
