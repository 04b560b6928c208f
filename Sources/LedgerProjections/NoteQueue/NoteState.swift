/// Where a delivered lead's note stands. A lead with nothing to note never gets a row.
public enum NoteState: String, Codable, Sendable, CaseIterable {
    /// Waiting for its next attempt (due at `next_attempt_at`).
    case pending
    /// A `NoteAttempted` has no outcome yet.
    case inFlight = "in_flight"
    /// On the CRM lead. Final.
    case added
    /// Refused for good or out of attempts; the text stays in the ledger.
    case dead
}
