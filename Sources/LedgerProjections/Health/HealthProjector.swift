import GRDB
import LedgerCore

/// Maintains `health_view`, one row of running totals over the whole log: what the health endpoint, the dashboard and
/// the alert rules need without scanning the log.
public struct HealthProjector: Projector {
    public let name = "health_view"
    public let version = 2  // 2: spam_total

    public init() {}

    public func createTables(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE health_view (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    events_total INTEGER NOT NULL,
                    last_event_at INTEGER,
                    received_total INTEGER NOT NULL,
                    imported_total INTEGER NOT NULL,
                    spam_total INTEGER NOT NULL,
                    sync_attempts_total INTEGER NOT NULL,
                    sync_failures_total INTEGER NOT NULL,
                    last_sync_success_at INTEGER,
                    last_sync_failure_at INTEGER,
                    last_sync_failure_class TEXT,
                    consecutive_crm_failures INTEGER NOT NULL,
                    alerts_total INTEGER NOT NULL,
                    alerts_warning INTEGER NOT NULL,
                    alerts_critical INTEGER NOT NULL,
                    last_alert_at INTEGER,
                    erased_total INTEGER NOT NULL,
                    requeued_total INTEGER NOT NULL
                ) STRICT;
                """)
    }

    public func dropTables(_ db: Database) throws {
        try db.execute(sql: "DROP TABLE IF EXISTS health_view")
    }

    public func apply(_ events: [ProjectedEvent], _ db: Database) throws {
        var totals = try HealthTotals.fetchOne(db, key: 1) ?? HealthTotals()
        for projected in events { totals.apply(projected) }
        try totals.insert(db, onConflict: .replace)
    }
}

/// The running totals row. `consecutiveCRMFailures` counts failures that say the CRM is unwell (not a lead the CRM
/// rejected for its content, which proves the CRM answers) and resets on any success.
public struct HealthTotals: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "health_view"

    var id = 1
    public var eventsTotal: Int64 = 0
    public var lastEventAt: Timestamp?
    public var receivedTotal: Int64 = 0
    public var importedTotal: Int64 = 0
    /// Recorded as spam; included in `receivedTotal`, which counts every `LeadReceived`.
    public var spamTotal: Int64 = 0
    public var syncAttemptsTotal: Int64 = 0
    public var syncFailuresTotal: Int64 = 0
    public var lastSyncSuccessAt: Timestamp?
    public var lastSyncFailureAt: Timestamp?
    public var lastSyncFailureClass: SyncErrorClass?
    public var consecutiveCRMFailures: Int64 = 0
    public var alertsTotal: Int64 = 0
    public var alertsWarning: Int64 = 0
    public var alertsCritical: Int64 = 0
    public var lastAlertAt: Timestamp?
    public var erasedTotal: Int64 = 0
    public var requeuedTotal: Int64 = 0

    public init() {}

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id
        case eventsTotal = "events_total"
        case lastEventAt = "last_event_at"
        case receivedTotal = "received_total"
        case importedTotal = "imported_total"
        case spamTotal = "spam_total"
        case syncAttemptsTotal = "sync_attempts_total"
        case syncFailuresTotal = "sync_failures_total"
        case lastSyncSuccessAt = "last_sync_success_at"
        case lastSyncFailureAt = "last_sync_failure_at"
        case lastSyncFailureClass = "last_sync_failure_class"
        case consecutiveCRMFailures = "consecutive_crm_failures"
        case alertsTotal = "alerts_total"
        case alertsWarning = "alerts_warning"
        case alertsCritical = "alerts_critical"
        case lastAlertAt = "last_alert_at"
        case erasedTotal = "erased_total"
        case requeuedTotal = "requeued_total"
    }

    mutating func apply(_ projected: ProjectedEvent) {
        eventsTotal += 1
        lastEventAt = projected.recordedAt
        switch projected.fact {
        case .received(_, _, let origin, _, _, let spam):
            receivedTotal += 1
            if origin == .import { importedTotal += 1 }
            if spam { spamTotal += 1 }
        case .attempted:
            syncAttemptsTotal += 1
        case .failed(_, let errorClass, _, _, _, _):
            syncFailuresTotal += 1
            lastSyncFailureAt = projected.recordedAt
            lastSyncFailureClass = errorClass
            if errorClass != .rejected && errorClass != .disabled { consecutiveCRMFailures += 1 }
        case .succeeded:
            lastSyncSuccessAt = projected.recordedAt
            consecutiveCRMFailures = 0
        case .alertRaised(let severity):
            alertsTotal += 1
            lastAlertAt = projected.recordedAt
            switch severity {
            case .warning: alertsWarning += 1
            case .critical: alertsCritical += 1
            case .info: break
            }
        case .erased:
            erasedTotal += 1
        case .requeued:
            requeuedTotal += 1
        case .note, .unprojected:
            break
        }
    }
}
