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
}

/// Streams that do not belong to a lead.
public enum SystemStream {
    /// Every `AlertRaised`, `AlertResolved`, `AlertDelivered` and `AlertUndeliverable` lives here, so alerts have one ordered history of their own.
    public static let alerts = "system:alerts"
    /// Every `ProcessStarted` and `ProcessStopped`: the history of runs and restarts.
    public static let processes = "system:processes"

    /// Streams whose first event need not be a `LeadReceived`.
    public static let all: Set<String> = [alerts, processes]
}
