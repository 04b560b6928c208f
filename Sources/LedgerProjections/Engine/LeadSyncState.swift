import LedgerCore

/// Where a lead stands on its way to the CRM. The one transition function every per-lead read model uses, so the
/// retry queue and the cost report can never disagree about a lead's state.
public enum LeadSyncState: String, Codable, Sendable, CaseIterable {
    /// Waiting for its next attempt (due at `next_attempt_at`).
    case pending
    /// A `SyncAttempted` has no outcome yet.
    case inFlight = "in_flight"
    /// In the CRM. Final.
    case synced
    /// Retries exhausted or rejected for good; waits for `requeue`.
    case dead
    /// Recorded as spam on arrival. Final: never synced, never requeued, counted apart from real leads.
    case spam

    /// The state after `fact`. A success is final: a late failure report for an older attempt cannot undo it. Spam is
    /// final from the start.
    public func applying(_ fact: ProjectionFact) -> LeadSyncState {
        if self == .synced || self == .spam { return self }
        switch fact {
        case .received(_, _, _, _, _, let spam): return spam ? .spam : .pending
        case .attempted: return .inFlight
        case .failed(_, _, _, _, let retryable, let nextAttemptAt): return retryable && nextAttemptAt != nil ? .pending : .dead
        case .succeeded: return .synced
        case .requeued: return self == .dead ? .pending : self
        case .erased, .alertRaised, .note, .unprojected: return self
        }
    }
}
