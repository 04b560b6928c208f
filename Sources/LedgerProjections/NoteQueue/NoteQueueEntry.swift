import GRDB
import LedgerCore

/// One delivered lead's note on its way to the CRM: created by its first `NoteAttempted`, folded by the note events.
public struct NoteQueueEntry: Sendable, Equatable {
    public var leadID: LeadID
    public var state: NoteState
    /// The CRM lead the note goes to.
    public var crmLeadID: Int64
    /// Highest note attempt number started.
    public var attempts: Int
    public var nextAttemptAt: Timestamp?
    public var inFlightAttemptID: String?
    public var lastErrorClass: SyncErrorClass?
    public var lastError: String?
    /// Failures in a row whose outcome stayed unknown: each is checked in the CRM before the note is sent again.
    public var unknownStreak: Int
    public var updatedSeq: Int64

    public init(
        leadID: LeadID, state: NoteState, crmLeadID: Int64, attempts: Int, nextAttemptAt: Timestamp?,
        inFlightAttemptID: String?, lastErrorClass: SyncErrorClass?, lastError: String?, unknownStreak: Int,
        updatedSeq: Int64
    ) {
        self.leadID = leadID
        self.state = state
        self.crmLeadID = crmLeadID
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.inFlightAttemptID = inFlightAttemptID
        self.lastErrorClass = lastErrorClass
        self.lastError = lastError
        self.unknownStreak = unknownStreak
        self.updatedSeq = updatedSeq
    }

    /// The row a note's first attempt creates.
    init(leadID: LeadID, attempt: Int, attemptID: String, crmLeadID: Int64, seq: Int64) {
        self.init(
            leadID: leadID, state: .inFlight, crmLeadID: crmLeadID, attempts: attempt, nextAttemptAt: nil,
            inFlightAttemptID: attemptID, lastErrorClass: nil, lastError: nil, unknownStreak: 0, updatedSeq: seq)
    }

    /// Folds one note fact. An added note is final: a late report about an older attempt is history, not state.
    mutating func apply(_ fact: NoteFact, seq: Int64) {
        updatedSeq = seq
        guard state != .added else { return }
        state = fact.state
        switch fact {
        case .attempted(let attempt, let attemptID, let crmLeadID):
            attempts = max(attempts, attempt)
            inFlightAttemptID = attemptID
            self.crmLeadID = crmLeadID
            nextAttemptAt = nil
        case .failed(let errorClass, let message, _, let retryAt):
            inFlightAttemptID = nil
            lastErrorClass = errorClass
            lastError = message
            nextAttemptAt = state == .pending ? retryAt : nil
            unknownStreak = errorClass == .unknownOutcome ? unknownStreak + 1 : 0
        case .added:
            inFlightAttemptID = nil
            nextAttemptAt = nil
            unknownStreak = 0
        }
    }
}

extension NoteQueueEntry {
    static let columns = """
        lead_id, state, crm_lead_id, attempts, next_attempt_at, in_flight_attempt_id, last_error_class, last_error, \
        unknown_streak, updated_seq
        """

    init(row: Row) throws {
        guard let leadID = LeadID(row[0] as String), let state = NoteState(rawValue: row[1]) else {
            throw RowDecodingError(table: NoteQueueProjector.table, value: row[0] as String)
        }
        self.init(
            leadID: leadID, state: state, crmLeadID: row[2], attempts: row[3],
            nextAttemptAt: (row[4] as Int64?).map(Timestamp.init(millisecondsSinceEpoch:)), inFlightAttemptID: row[5],
            lastErrorClass: (row[6] as String?).flatMap(SyncErrorClass.init(rawValue:)), lastError: row[7],
            unknownStreak: row[8], updatedSeq: row[9])
    }

    static func fetch(_ db: Database, leadID: LeadID) throws -> NoteQueueEntry? {
        let statement = try db.cachedStatement(
            sql: "SELECT \(columns) FROM \(NoteQueueProjector.table) WHERE lead_id = ?")
        return try Row.fetchOne(statement, arguments: [leadID.description]).map(NoteQueueEntry.init(row:))
    }

    func save(_ db: Database) throws {
        let statement = try db.cachedStatement(
            sql: "INSERT OR REPLACE INTO \(NoteQueueProjector.table) (\(Self.columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        try statement.execute(arguments: [
            leadID.description, state.rawValue, crmLeadID, attempts, (nextAttemptAt?.millisecondsSinceEpoch),
            inFlightAttemptID, (lastErrorClass?.rawValue), lastError, unknownStreak, updatedSeq,
        ])
    }
}
