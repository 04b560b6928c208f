import GRDB
import LedgerCore

/// One lead in the retry queue: its state, how many attempts it has had, when the next is due, what went wrong last,
/// and where it landed in the CRM. The reactor reads due entries from here; it never scans the log.
public struct RetryQueueEntry: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "retry_queue"

    public var leadID: LeadID
    public var state: LeadSyncState
    public var receivedAt: Timestamp
    /// Highest attempt number started.
    public var attempts: Int
    /// Failed attempts, all time.
    public var failures: Int
    /// When the next attempt is due; nil unless pending.
    public var nextAttemptAt: Timestamp?
    /// The attempt without an outcome, while in flight.
    public var inFlightAttemptID: String?
    public var lastAttemptAt: Timestamp?
    public var lastErrorClass: SyncErrorClass?
    public var lastHTTPStatus: Int?
    public var lastError: String?
    public var crmLeadID: Int64?
    public var crmContactID: Int64?
    public var syncedAt: Timestamp?
    /// Times an operator put it back after it died; the reactor gives each requeue a fresh retry budget.
    public var requeues: Int
    public var attemptsBeforeRequeue: Int
    /// Failures in a row whose outcome stayed unknown (a lost reply, then reconciliations that could not decide):
    /// the reactor stops checking and asks a human once this reaches its bound. Any other outcome or a requeue
    /// resets it.
    public var unknownStreak: Int
    public var erased: Bool
    public var updatedSeq: Int64

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case leadID = "lead_id"
        case state
        case receivedAt = "received_at"
        case attempts, failures
        case nextAttemptAt = "next_attempt_at"
        case inFlightAttemptID = "in_flight_attempt_id"
        case lastAttemptAt = "last_attempt_at"
        case lastErrorClass = "last_error_class"
        case lastHTTPStatus = "last_http_status"
        case lastError = "last_error"
        case crmLeadID = "crm_lead_id"
        case crmContactID = "crm_contact_id"
        case syncedAt = "synced_at"
        case requeues
        case attemptsBeforeRequeue = "attempts_before_requeue"
        case unknownStreak = "unknown_streak"
        case erased
        case updatedSeq = "updated_seq"
    }
}

extension RetryQueueEntry {
    /// The table's columns in declaration order; every query selects exactly these, so `init(row:)` reads by index.
    public static let columns = """
        lead_id, state, received_at, attempts, failures, next_attempt_at, in_flight_attempt_id, last_attempt_at, \
        last_error_class, last_http_status, last_error, crm_lead_id, crm_contact_id, synced_at, requeues, \
        attempts_before_requeue, unknown_streak, erased, updated_seq
        """

    /// Reads columns by position: name lookups (case-insensitive) and Codable showed up in rebuild profiles.
    public init(row: Row) throws {
        guard let leadID = LeadID(row[0] as String), let state = LeadSyncState(rawValue: row[1]) else {
            throw RowDecodingError(table: Self.databaseTableName, value: row[0] as String)
        }
        self.init(
            leadID: leadID, state: state, receivedAt: Timestamp(millisecondsSinceEpoch: row[2]), attempts: row[3],
            failures: row[4], nextAttemptAt: (row[5] as Int64?).map(Timestamp.init(millisecondsSinceEpoch:)),
            inFlightAttemptID: row[6], lastAttemptAt: (row[7] as Int64?).map(Timestamp.init(millisecondsSinceEpoch:)),
            lastErrorClass: (row[8] as String?).flatMap(SyncErrorClass.init(rawValue:)), lastHTTPStatus: row[9],
            lastError: row[10], crmLeadID: row[11], crmContactID: row[12],
            syncedAt: (row[13] as Int64?).map(Timestamp.init(millisecondsSinceEpoch:)), requeues: row[14],
            attemptsBeforeRequeue: row[15], unknownStreak: row[16], erased: row[17], updatedSeq: row[18])
    }
}

extension RetryQueueEntry: LeadRow {
    init(
        received projected: ProjectedEvent, leadID: LeadID, receivedAt: Timestamp, origin: LeadOrigin, utmSource: String?,
        utmCampaign: String?, spam: Bool
    ) {
        self.init(
            leadID: leadID, state: spam ? .spam : .pending, receivedAt: receivedAt, attempts: 0, failures: 0,
            nextAttemptAt: spam ? nil : receivedAt,
            inFlightAttemptID: nil, lastAttemptAt: nil, lastErrorClass: nil, lastHTTPStatus: nil, lastError: nil,
            crmLeadID: nil, crmContactID: nil, syncedAt: nil, requeues: 0, attemptsBeforeRequeue: 0, unknownStreak: 0,
            erased: false,
            updatedSeq: projected.seq)
    }

    mutating func apply(_ projected: ProjectedEvent) {
        let previous = state
        state = previous.applying(projected.fact)
        updatedSeq = projected.seq
        if case .erased = projected.fact { erased = true }
        // A synced lead is final: later reports about older attempts are history, not state.
        guard previous != .synced else { return }
        switch projected.fact {
        case .attempted(_, let attempt, let attemptID):
            attempts = max(attempts, attempt)
            inFlightAttemptID = attemptID
            lastAttemptAt = projected.recordedAt
            nextAttemptAt = nil
        case .failed(_, let errorClass, let httpStatus, let message, _, let retryAt):
            failures += 1
            lastErrorClass = errorClass
            lastHTTPStatus = httpStatus
            lastError = message
            inFlightAttemptID = nil
            nextAttemptAt = state == .pending ? retryAt : nil
            unknownStreak = errorClass == .unknownOutcome ? unknownStreak + 1 : 0
        case .succeeded(_, let crmLead, let crmContact):
            inFlightAttemptID = nil
            nextAttemptAt = nil
            crmLeadID = crmLead
            crmContactID = crmContact
            syncedAt = projected.recordedAt
            unknownStreak = 0
        case .requeued:
            guard previous == .dead else { return }
            requeues += 1
            attemptsBeforeRequeue = attempts
            unknownStreak = 0
            nextAttemptAt = projected.recordedAt
        case .received, .erased, .alertRaised, .note, .unprojected:
            break
        }
    }

    // The fold's hot path uses cached statements with explicit columns: GRDB's query interface compiles (and
    // authorizes) a new statement per call, which dominated rebuild time.
    static func fetch(_ db: Database, leadID: LeadID) throws -> RetryQueueEntry? {
        let statement = try db.cachedStatement(sql: "SELECT \(columns) FROM retry_queue WHERE lead_id = ?")
        return try RetryQueueEntry.fetchOne(statement, arguments: [leadID.description])
    }

    func save(_ db: Database) throws {
        let statement = try db.cachedStatement(
            sql: """
                INSERT OR REPLACE INTO retry_queue (
                    lead_id, state, received_at, attempts, failures, next_attempt_at, in_flight_attempt_id,
                    last_attempt_at, last_error_class, last_http_status, last_error, crm_lead_id, crm_contact_id,
                    synced_at, requeues, attempts_before_requeue, unknown_streak, erased, updated_seq)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        // An array literal binds through `(any DatabaseValueConvertible)?`; GRDB's generic `Sequence` initializer maps
        // through a key path that Swift instantiates on every call, which dominated rebuild profiles.
        try statement.execute(arguments: [
            leadID.description,
            state.rawValue,
            receivedAt.millisecondsSinceEpoch,
            attempts,
            failures,
            (nextAttemptAt?.millisecondsSinceEpoch),
            inFlightAttemptID,
            (lastAttemptAt?.millisecondsSinceEpoch),
            (lastErrorClass?.rawValue),
            lastHTTPStatus,
            lastError,
            crmLeadID,
            crmContactID,
            (syncedAt?.millisecondsSinceEpoch),
            requeues,
            attemptsBeforeRequeue,
            unknownStreak,
            erased,
            updatedSeq,
        ])
    }
}
