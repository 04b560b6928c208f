/// The reactor is about to add a lead's note (comment, page, extra form fields) in the CRM. Written *before* the call,
/// like `SyncAttempted`: a crash mid-call leaves a note attempt without an outcome, which is checked in the CRM before
/// the note is sent again, so a lead never gets the same note twice.
public struct NoteAttempted: LedgerEventPayload {
    public static let type = EventType.noteAttempted
    public static let schemaVersion = 1

    public var leadID: LeadID
    public var attempt: Int
    public var attemptID: String
    /// The CRM lead the note goes to: the one created, matched (`merged`) or found by reconciliation.
    public var crmLeadID: Int64

    public var stream: String { leadID.description }

    public init(leadID: LeadID, attempt: Int, attemptID: String, crmLeadID: Int64) {
        self.leadID = leadID
        self.attempt = attempt
        self.attemptID = attemptID
        self.crmLeadID = crmLeadID
    }

    enum CodingKeys: String, CodingKey {
        case leadID = "lead_id"
        case attempt
        case attemptID = "attempt_id"
        case crmLeadID = "crm_lead_id"
    }

    public func validate() throws {
        try requireAttempt(attempt, attemptID)
        try require(crmLeadID > 0, "crm_lead_id", "must be positive")
    }
}

/// The note is on the CRM lead: added by this attempt, or found there by a check after an unknown outcome.
public struct NoteAdded: LedgerEventPayload {
    public static let type = EventType.noteAdded
    public static let schemaVersion = 1

    public var leadID: LeadID
    public var attemptID: String
    public var attempt: Int
    /// The note's id in the CRM, when its reply named one.
    public var crmNoteID: Int64?

    public var stream: String { leadID.description }

    public init(leadID: LeadID, attemptID: String, attempt: Int, crmNoteID: Int64?) {
        self.leadID = leadID
        self.attemptID = attemptID
        self.attempt = attempt
        self.crmNoteID = crmNoteID
    }

    enum CodingKeys: String, CodingKey {
        case leadID = "lead_id"
        case attemptID = "attempt_id"
        case attempt
        case crmNoteID = "crm_note_id"
    }

    public func validate() throws {
        try requireAttempt(attempt, attemptID)
        try require(crmNoteID.map { $0 > 0 } ?? true, "crm_note_id", "must be positive")
    }
}

/// A note attempt ended without the note on the CRM lead. `nextAttemptAt` is nil when no retry follows: the note's
/// text stays in the ledger (`leadledger lead ID` shows the lead), the lead itself is delivered either way.
public struct NoteFailed: LedgerEventPayload {
    public static let type = EventType.noteFailed
    public static let schemaVersion = 1

    public var leadID: LeadID
    public var attemptID: String
    public var attempt: Int
    public var errorClass: SyncErrorClass
    public var httpStatus: Int?
    public var message: String
    public var retryable: Bool
    public var nextAttemptAt: Timestamp?

    public var stream: String { leadID.description }

    public init(
        leadID: LeadID, attemptID: String, attempt: Int, errorClass: SyncErrorClass, httpStatus: Int?, message: String,
        retryable: Bool, nextAttemptAt: Timestamp?
    ) {
        self.leadID = leadID
        self.attemptID = attemptID
        self.attempt = attempt
        self.errorClass = errorClass
        self.httpStatus = httpStatus
        self.message = message
        self.retryable = retryable
        self.nextAttemptAt = nextAttemptAt
    }

    enum CodingKeys: String, CodingKey {
        case leadID = "lead_id"
        case attemptID = "attempt_id"
        case attempt
        case errorClass = "error_class"
        case httpStatus = "http_status"
        case message, retryable
        case nextAttemptAt = "next_attempt_at"
    }

    public func validate() throws {
        try requireAttempt(attempt, attemptID)
        try requireFailure(httpStatus: httpStatus, message: message, retryable: retryable, nextAttemptAt: nextAttemptAt)
    }
}
