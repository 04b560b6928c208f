import LedgerCore
import LedgerStore

/// An alert raised and not yet resolved.
public struct OpenAlert: Sendable, Equatable {
    public var raised: AlertRaised
    public var raisedAt: Timestamp

    public init(raised: AlertRaised, raisedAt: Timestamp) {
        self.raised = raised
        self.raisedAt = raisedAt
    }
}

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

/// One `AlertRaised` as the dashboard lists it.
public struct RecentAlert: Sendable, Equatable {
    public var seq: Int64
    public var recordedAt: Timestamp
    public var severity: AlertSeverity
    public var kind: String
    public var message: String
}

extension EventStore {
    /// Alerts whose newest event for their `dedupe_key` is an `AlertRaised`, by key, from the newest
    /// `StreamFold.alertScan` events of `system:alerts`. A key raised again while open keeps its first raise (that is
    /// when the condition began).
    public func openAlerts() async throws(StoreError) -> [String: OpenAlert] {
        var closed: Set<String> = []
        var open: [String: OpenAlert] = [:]
        for row in try await newest(inStream: SystemStream.alerts, limit: StreamFold.alertScan) {
            switch try StreamFold.decode(row) {
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

    /// Delivery state of the newest `StreamFold.alertScan` events of `system:alerts` (bounded like `openAlerts`): an
    /// alert older than the scan is neither pending nor counted.
    public func alertDeliveryStatus() async throws(StoreError) -> AlertDeliveryStatus {
        var status = AlertDeliveryStatus()
        var answered: Set<String> = []
        var raises: [String: (AlertRaised, Timestamp)] = [:]
        var newestFirst: [PendingAlert] = []
        for row in try await newest(inStream: SystemStream.alerts, limit: StreamFold.alertScan) {
            switch try StreamFold.decode(row) {
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

    /// The version of the newest event in `system:alerts` (0 when there is none): one index lookup, so a poller can
    /// tell that nothing changed without folding the stream.
    public func alertStreamVersion() async throws(StoreError) -> Int64 {
        try await newest(inStream: SystemStream.alerts, limit: 1).first?.version ?? 0
    }

    /// The newest alerts raised, newest first, at most `limit` (clamped to `maxPageSize`). Every alert lives in the
    /// one stream `system:alerts`, so this walks that stream's index backwards and stops after `limit` raises.
    public func recentAlerts(limit: Int) async throws(StoreError) -> [RecentAlert] {
        let rows = try await newest(
            inStream: SystemStream.alerts, type: .alertRaised, limit: max(0, min(limit, maxPageSize)))
        var alerts: [RecentAlert] = []
        for row in rows {
            guard case .alertRaised(let raised) = try StreamFold.decode(row) else { continue }
            alerts.append(
                RecentAlert(
                    seq: row.seq, recordedAt: row.recordedAt, severity: raised.severity, kind: raised.kind,
                    message: raised.message))
        }
        return alerts
    }
}
