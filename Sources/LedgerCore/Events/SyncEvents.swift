/// The reactor is about to send a lead to a target. Written *before* the call, so a crash mid-call leaves an
/// attempt without an outcome, which start-up reconciliation finds.
public struct SyncAttempted: LedgerEventPayload {
    public static let type = EventType.syncAttempted
    public static let schemaVersion = 1

    public var leadID: LeadID
    public var attempt: Int
    public var attemptID: String
    public var target: SyncTarget

    public var stream: String { leadID.description }

    public init(leadID: LeadID, attempt: Int, attemptID: String, target: SyncTarget) {
        self.leadID = leadID
        self.attempt = attempt
        self.attemptID = attemptID
        self.target = target
    }

    enum CodingKeys: String, CodingKey {
        case leadID = "lead_id"
        case attempt
        case attemptID = "attempt_id"
        case target
    }

    public func validate() throws {
        try requireAttempt(attempt, attemptID)
    }
}

/// Where a lead is synced to.
public enum SyncTarget: String, Codable, Sendable {
    case amocrm
}

/// An attempt ended without the lead being in the CRM. `nextAttemptAt` is nil when no retry will follow: the lead is
/// dead-lettered until someone requeues it.
public struct SyncFailed: LedgerEventPayload {
    public static let type = EventType.syncFailed
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
        leadID: LeadID, attemptID: String, attempt: Int, errorClass: SyncErrorClass, httpStatus: Int?,
        message: String, retryable: Bool, nextAttemptAt: Timestamp?
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

/// Why an attempt failed, as the retry policy sees it.
public enum SyncErrorClass: String, Codable, Sendable, CaseIterable {
    case timeout
    case transport
    case rateLimited = "rate_limited"
    case serverError = "server_error"
    case rejected
    case unauthorized
    case forbidden
    case paymentRequired = "payment_required"
    /// The account or its configuration refused the create (no rights, a configured id it lacks): no lead's fault.
    case accountRefused = "account_refused"
    case malformedReply = "malformed_reply"
    /// The request may have reached the CRM; reconcile before resending.
    case unknownOutcome = "unknown_outcome"
    case disabled
}

/// The lead is in the CRM. `merged` says the CRM matched an existing lead instead of creating one.
public struct SyncSucceeded: LedgerEventPayload {
    public static let type = EventType.syncSucceeded
    public static let schemaVersion = 1

    public var leadID: LeadID
    public var attemptID: String
    public var attempt: Int
    public var crmLeadID: Int64
    public var crmContactID: Int64?
    public var merged: Bool

    public var stream: String { leadID.description }

    public init(
        leadID: LeadID, attemptID: String, attempt: Int, crmLeadID: Int64, crmContactID: Int64?, merged: Bool = false
    ) {
        self.leadID = leadID
        self.attemptID = attemptID
        self.attempt = attempt
        self.crmLeadID = crmLeadID
        self.crmContactID = crmContactID
        self.merged = merged
    }

    enum CodingKeys: String, CodingKey {
        case leadID = "lead_id"
        case attemptID = "attempt_id"
        case attempt
        case crmLeadID = "crm_lead_id"
        case crmContactID = "crm_contact_id"
        case merged
    }

    public func validate() throws {
        try requireAttempt(attempt, attemptID)
        try require(crmLeadID > 0, "crm_lead_id", "must be positive")
        try require(crmContactID.map { $0 > 0 } ?? true, "crm_contact_id", "must be positive")
    }
}
