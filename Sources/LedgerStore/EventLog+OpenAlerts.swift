import GRDB
import LedgerCore

/// An alert raised and not yet resolved.
public struct OpenAlert: Sendable, Equatable {
    public var raised: AlertRaised
    public var raisedAt: Timestamp

    public init(raised: AlertRaised, raisedAt: Timestamp) {
        self.raised = raised
        self.raisedAt = raisedAt
    }
}

extension EventLog {
    /// How many of the newest alert events are read to find the open ones: bounded, and far more than the handful of
    /// conditions that can be open at once.
    static let alertScan = 5000

    /// Alerts whose newest event for their `dedupe_key` is an `AlertRaised`, by key. A key raised again while open
    /// keeps its first raise (that is when the condition began).
    public func openAlerts() throws(StoreError) -> [String: OpenAlert] {
        try read { db in
            let rows = try RecordedEvent.fetchAll(
                db,
                sql: "SELECT \(RecordedEvent.columns) FROM event WHERE stream = ? ORDER BY version DESC LIMIT ?",
                arguments: [SystemStream.alerts, Self.alertScan])
            var closed: Set<String> = []
            var open: [String: OpenAlert] = [:]
            for row in rows {
                switch try row.decode(strict: false) {
                case .alertResolved(let resolved):
                    // Older than the newest resolution, a key's events belong to an episode already over.
                    closed.insert(resolved.dedupeKey)
                case .alertRaised(let raised) where !closed.contains(raised.dedupeKey):
                    open[raised.dedupeKey] = OpenAlert(raised: raised, raisedAt: row.recordedAt)
                default:
                    break
                }
            }
            return open
        }
    }
}
