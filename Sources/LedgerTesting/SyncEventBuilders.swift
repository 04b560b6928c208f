import LedgerCore
import LedgerStore

/// Sync events as the reactor will write them, for generated histories and tests. Attempt ids are
/// `<lead>-<attempt>`, so a failure or success names the attempt it ends.
public enum SyncEventBuilders {
    public static func attempted(_ lead: LeadID, _ number: Int = 1) -> PendingEvent {
        PendingEvent(
            .syncAttempted(SyncAttempted(leadID: lead, attempt: number, attemptID: "\(lead)-\(number)", target: .amocrm)))
    }

    /// A CRM failure: with `retryAt` a retryable 502, without it a permanent 400 rejection (the lead goes dead).
    public static func failed(_ lead: LeadID, _ number: Int = 1, retryAt: Timestamp?) -> PendingEvent {
        PendingEvent(
            .syncFailed(
                SyncFailed(
                    leadID: lead, attemptID: "\(lead)-\(number)", attempt: number,
                    errorClass: retryAt == nil ? .rejected : .serverError, httpStatus: retryAt == nil ? 400 : 502,
                    message: retryAt == nil ? "field phone is invalid" : "Bad Gateway", retryable: retryAt != nil,
                    nextAttemptAt: retryAt)))
    }

    /// A success; without `crmLeadID`, a CRM id derived from the lead id (FNV-1a, the same on every run).
    public static func succeeded(_ lead: LeadID, _ number: Int = 1, crmLeadID: Int64? = nil) -> PendingEvent {
        let fnv = lead.description.utf8.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
        let id = crmLeadID ?? Int64(fnv % 1_000_000_000) + 1
        return PendingEvent(
            .syncSucceeded(
                SyncSucceeded(leadID: lead, attemptID: "\(lead)-\(number)", attempt: number, crmLeadID: id, crmContactID: id + 1))
        )
    }

    /// A note attempt for a delivered lead; its id is `<lead>-note-<attempt>`.
    public static func noteAttempted(_ lead: LeadID, _ number: Int = 1, crmLeadID: Int64 = 1) -> PendingEvent {
        PendingEvent(
            .noteAttempted(
                NoteAttempted(leadID: lead, attempt: number, attemptID: "\(lead)-note-\(number)", crmLeadID: crmLeadID)))
    }

    /// A note failure: with `retryAt` a retryable 503, without it a permanent 400 refusal.
    public static func noteFailed(_ lead: LeadID, _ number: Int = 1, retryAt: Timestamp?) -> PendingEvent {
        PendingEvent(
            .noteFailed(
                NoteFailed(
                    leadID: lead, attemptID: "\(lead)-note-\(number)", attempt: number,
                    errorClass: retryAt == nil ? .rejected : .serverError, httpStatus: retryAt == nil ? 400 : 503,
                    message: retryAt == nil ? "text is too long" : "Service Unavailable", retryable: retryAt != nil,
                    nextAttemptAt: retryAt)))
    }

    public static func noteAdded(_ lead: LeadID, _ number: Int = 1) -> PendingEvent {
        PendingEvent(
            .noteAdded(NoteAdded(leadID: lead, attemptID: "\(lead)-note-\(number)", attempt: number, crmNoteID: Int64(number))))
    }
}
