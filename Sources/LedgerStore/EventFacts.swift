import LedgerCore

/// The fields of an event that the read models fold, as the store extracts them in the query that reads the page:
/// for each type, only the fields some projector uses, as stored (validated by the projection, not here).
///
/// Why not the full event: decoding every body with `JSONDecoder` cost more than everything else in a rebuild
/// together (about 10 µs per `LeadReceived`, mostly spent skipping the sealed personal payload). Each database's own
/// JSON functions extract these few fields instead (SQLite's `json_extract`, PostgreSQL's `->>`). `verify` is what
/// decodes every body strictly; projections read what it has judged.
public struct EventFacts: Sendable, Equatable {
    public var seq: Int64
    public var stream: String
    public var type: String
    public var schemaVersion: Int
    public var recordedAt: Timestamp
    /// `LeadReceived`: `received_at` (ms), `origin`, `utm.source`, `utm.campaign`, and whether `spam` is set.
    public var receivedAt: Int64?
    public var origin: String?
    public var utmSource: String?
    public var utmCampaign: String?
    public var spam: Bool
    /// `SyncAttempted`, `SyncFailed`, `SyncSucceeded`, `NoteAttempted`: `attempt` and `attempt_id`.
    public var attempt: Int?
    public var attemptID: String?
    /// `SyncFailed`, `NoteFailed`: `error_class`, `message`, `retryable`, `next_attempt_at` (ms); `SyncFailed` also
    /// `http_status`.
    public var errorClass: String?
    public var httpStatus: Int?
    public var message: String?
    public var retryable: Bool?
    public var nextAttemptAt: Int64?
    /// `SyncSucceeded`, `NoteAttempted`: `crm_lead_id`; `SyncSucceeded` also `crm_contact_id`.
    public var crmLeadID: Int64?
    public var crmContactID: Int64?
    /// `AlertRaised`: `severity`.
    public var severity: String?

    public init(seq: Int64, stream: String, type: String, schemaVersion: Int, recordedAt: Timestamp) {
        self.seq = seq
        self.stream = stream
        self.type = type
        self.schemaVersion = schemaVersion
        self.recordedAt = recordedAt
        self.spam = false
    }
}
