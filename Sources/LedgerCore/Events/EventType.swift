/// The names of every fact the log can hold. The raw value is what the `type` column stores, forever.
public enum EventType: String, CaseIterable, Sendable, Codable {
    case leadReceived = "LeadReceived"
    case syncAttempted = "SyncAttempted"
    case syncFailed = "SyncFailed"
    case syncSucceeded = "SyncSucceeded"
    case alertRaised = "AlertRaised"
    /// The condition behind an `AlertRaised` (same `dedupe_key`) has cleared.
    case alertResolved = "AlertResolved"
    /// An alert was sent to its channel, or deliberately not (`outcome`).
    case alertDelivered = "AlertDelivered"
    /// The channel refused an alert for good.
    case alertUndeliverable = "AlertUndeliverable"
    /// A lead's personal data was destroyed on request; the lead's other facts stay.
    case leadErased = "LeadErased"
    /// An operator put a dead-lettered lead back into the retry queue.
    case leadRequeued = "LeadRequeued"
    /// A `serve` or `react` run started; says whether the run before it ended cleanly.
    case processStarted = "ProcessStarted"
    /// A `serve` or `react` run ended cleanly.
    case processStopped = "ProcessStopped"
    /// `react` produced a day's lost-lead cost report (at most one per day).
    case reportProduced = "ReportProduced"
    /// The reactor is about to add a delivered lead's note in the CRM.
    case noteAttempted = "NoteAttempted"
    /// The lead's note is in the CRM.
    case noteAdded = "NoteAdded"
    /// A note attempt failed; retried on its own schedule, or given up.
    case noteFailed = "NoteFailed"
}

extension EventType {
    /// True for the facts of one lead (their stream is its id); false for the system streams' alerts and process
    /// runs. Exhaustive on purpose: a new type must say which it is, for the chain writer and the projections alike.
    public var belongsToLead: Bool {
        switch self {
        case .leadReceived, .syncAttempted, .syncFailed, .syncSucceeded, .leadErased, .leadRequeued, .noteAttempted,
            .noteAdded, .noteFailed:
            true
        case .alertRaised, .alertResolved, .alertDelivered, .alertUndeliverable, .processStarted, .processStopped,
            .reportProduced:
            false
        }
    }
}

/// Streams that do not belong to a lead.
public enum SystemStream {
    /// What the owner is told: every `AlertRaised`, `AlertResolved` and `ReportProduced` (the nightly report), and
    /// what became of each on its channel (`AlertDelivered`, `AlertUndeliverable`). One ordered history, so one
    /// delivery pipeline tells the owner everything, with the same retries and exactly-once bookkeeping.
    public static let alerts = "system:alerts"
    /// Every `ProcessStarted` and `ProcessStopped`: the history of runs and restarts.
    public static let processes = "system:processes"
}
