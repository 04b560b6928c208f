import GRDB
import LedgerCore

/// An `AlertRaised`, `AlertResolved` or `ReportProduced` that no `AlertDelivered` or `AlertUndeliverable` answers
/// yet: something the owner is still to be told.
public struct PendingAlert: Sendable, Equatable {
    public enum Event: Sendable, Equatable {
        case raised(AlertRaised)
        /// A resolution, with the raise it resolves when that is still within the scan.
        case resolved(AlertResolved, raise: AlertRaised?, raisedAt: Timestamp?)
        /// The nightly report's summary, answered by an `AlertDelivered` naming its `report_id`. Not an alert: never
        /// throttled as a repeat, never open.
        case report(ReportProduced)
    }

    public var event: Event
    public var recordedAt: Timestamp

    public init(event: Event, recordedAt: Timestamp) {
        self.event = event
        self.recordedAt = recordedAt
    }

    public var alertID: String {
        switch event {
        case .raised(let raised): raised.alertID
        case .resolved(let resolved, _, _): resolved.alertID
        case .report(let report): report.reportID
        }
    }
}

/// Where alert delivery stands, read from the newest alert events: what waits, when something last went out, and
/// whether the channel's last word was a refusal. The reactor's delivery service and `serve`'s health read the same.
public struct AlertDeliveryStatus: Sendable, Equatable {
    /// Oldest first.
    public var pending: [PendingAlert] = []
    /// When the newest `AlertDelivered` with outcome `sent` was recorded.
    public var lastSentAt: Timestamp?
    /// The reason of the newest `AlertUndeliverable`, when it is newer than every sent delivery: alerts are broken.
    public var refusal: String?
    /// Alerts (raises and resolutions) whose delivery was `sent`.
    public var sentAlertIDs: Set<String> = []

    public init() {}

    /// When the oldest pending alert was recorded.
    public var oldestPendingAt: Timestamp? { pending.first?.recordedAt }
}

extension EventLog {
    /// Delivery state of the newest `alertScan` events of `system:alerts` (bounded like `openAlerts`): an alert older
    /// than the scan is neither pending nor counted.
    public func alertDeliveryStatus() throws(StoreError) -> AlertDeliveryStatus {
        try read { db in
            let rows = try RecordedEvent.fetchAll(
                db,
                sql: "SELECT \(RecordedEvent.columns) FROM event WHERE stream = ? ORDER BY version DESC LIMIT ?",
                arguments: [SystemStream.alerts, Self.alertScan])
            var status = AlertDeliveryStatus()
            var answered: Set<String> = []
            var raises: [String: (AlertRaised, Timestamp)] = [:]
            var newestFirst: [PendingAlert] = []
            for row in rows {
                switch try row.decode(strict: false) {
                case .alertDelivered(let delivered):
                    answered.insert(delivered.alertID)
                    guard delivered.outcome == .sent else { break }
                    status.sentAlertIDs.insert(delivered.alertID)
                    if status.lastSentAt == nil { status.lastSentAt = row.recordedAt }
                case .alertUndeliverable(let refused):
                    answered.insert(refused.alertID)
                    // Newest first: a refusal met before any sent delivery is newer than all of them.
                    if status.lastSentAt == nil && status.refusal == nil { status.refusal = refused.reason }
                case .alertRaised(let raised):
                    raises[raised.alertID] = (raised, row.recordedAt)
                    if !answered.contains(raised.alertID) {
                        newestFirst.append(PendingAlert(event: .raised(raised), recordedAt: row.recordedAt))
                    }
                case .alertResolved(let resolved) where !answered.contains(resolved.alertID):
                    newestFirst.append(
                        PendingAlert(event: .resolved(resolved, raise: nil, raisedAt: nil), recordedAt: row.recordedAt))
                case .reportProduced(let report) where !answered.contains(report.reportID):
                    newestFirst.append(PendingAlert(event: .report(report), recordedAt: row.recordedAt))
                default:
                    break
                }
            }
            // A raise is older than its resolution, so it was met later in the scan: attach it now.
            status.pending = newestFirst.reversed().map { pending in
                guard case .resolved(let resolved, _, _) = pending.event, let raise = raises[resolved.resolvesAlertID] else {
                    return pending
                }
                return PendingAlert(event: .resolved(resolved, raise: raise.0, raisedAt: raise.1), recordedAt: pending.recordedAt)
            }
            return status
        }
    }

    /// The version of the newest event in `system:alerts` (0 when there is none): one index lookup, so a poller can
    /// tell that nothing changed without reading the stream.
    public func alertStreamVersion() throws(StoreError) -> Int64 {
        try read { db in
            try Int64.fetchOne(db, sql: "SELECT MAX(version) FROM event WHERE stream = ?", arguments: [SystemStream.alerts]) ?? 0
        }
    }
}
