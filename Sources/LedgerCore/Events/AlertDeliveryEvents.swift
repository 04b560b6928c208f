/// Where an alert is delivered. Telegram is the only channel so far.
public enum AlertChannel: String, Codable, Sendable, CaseIterable {
    case telegram
}

/// What became of an alert on its channel.
public enum AlertDeliveryOutcome: String, Codable, Sendable, CaseIterable {
    /// It went out: `message_ids` names the messages (several when split, shared by the alerts of a digest).
    case sent
    /// The throttle decided this occurrence is not worth a message (a repeat within its window, a resolution whose
    /// raise was never sent): nothing went out, and nothing will.
    case suppressed
}

/// An `AlertRaised` or `AlertResolved` has been dealt with on a channel: sent, or deliberately not sent. Until one
/// exists (or an `AlertUndeliverable`), the alert is pending and the reactor keeps trying. Never carries the text,
/// personal data or secrets.
public struct AlertDelivered: LedgerEventPayload {
    public static let type = EventType.alertDelivered
    public static let schemaVersion = 1
    /// A message split into parts has at most 5 (`MessageSplitter`); room to spare, and still bounded.
    public static let maxMessageIDs = 16

    /// The `alert_id` of the `AlertRaised` or `AlertResolved` this delivers.
    public var alertID: String
    public var channel: AlertChannel
    public var outcome: AlertDeliveryOutcome
    /// Telegram's message ids, in order; empty when suppressed.
    public var messageIDs: [Int64]

    public var stream: String { SystemStream.alerts }

    public init(alertID: String, channel: AlertChannel = .telegram, outcome: AlertDeliveryOutcome, messageIDs: [Int64]) {
        self.alertID = alertID
        self.channel = channel
        self.outcome = outcome
        self.messageIDs = messageIDs
    }

    enum CodingKeys: String, CodingKey {
        case alertID = "alert_id"
        case channel, outcome
        case messageIDs = "message_ids"
    }

    public func validate() throws {
        try require(!alertID.isEmpty && alertID.utf8.count <= FieldLimits.identifier, "alert_id", "empty or too long")
        try require(messageIDs.count <= Self.maxMessageIDs, "message_ids", "more than \(Self.maxMessageIDs)")
        try require(messageIDs.allSatisfy { $0 > 0 }, "message_ids", "not positive")
        switch outcome {
        case .sent: try require(!messageIDs.isEmpty, "message_ids", "empty for a sent alert")
        case .suppressed: try require(messageIDs.isEmpty, "message_ids", "present for a suppressed alert")
        }
    }
}

/// The channel refused an alert for good (chat not found, bad token, bot blocked or kicked): it will not be retried,
/// and alerts are broken until a human acts. `reason` is the channel's own short words, never the token.
public struct AlertUndeliverable: LedgerEventPayload {
    public static let type = EventType.alertUndeliverable
    public static let schemaVersion = 1

    /// The `alert_id` of the `AlertRaised` or `AlertResolved` that could not be delivered.
    public var alertID: String
    public var channel: AlertChannel
    public var reason: String

    public var stream: String { SystemStream.alerts }

    public init(alertID: String, channel: AlertChannel = .telegram, reason: String) {
        self.alertID = alertID
        self.channel = channel
        self.reason = reason
    }

    enum CodingKeys: String, CodingKey {
        case alertID = "alert_id"
        case channel, reason
    }

    public func validate() throws {
        try require(!alertID.isEmpty && alertID.utf8.count <= FieldLimits.identifier, "alert_id", "empty or too long")
        try require(!reason.isEmpty, "reason", "empty")
        try requireLength(reason, "reason", max: FieldLimits.shortText)
    }
}
