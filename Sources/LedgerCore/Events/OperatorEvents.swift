/// Something happened that the owner must hear about. Delivery to Telegram is a separate fact.
public struct AlertRaised: LedgerEventPayload {
    public static let type = EventType.alertRaised
    public static let schemaVersion = 1

    public var alertID: String
    public var kind: String
    public var severity: AlertSeverity
    public var dedupeKey: String
    public var message: String
    /// What the alert is about: a lead id, `amocrm`, `serve`…; never personal data.
    public var subject: String?

    public var stream: String { SystemStream.alerts }

    public init(alertID: String, kind: String, severity: AlertSeverity, dedupeKey: String, message: String, subject: String?) {
        self.alertID = alertID
        self.kind = kind
        self.severity = severity
        self.dedupeKey = dedupeKey
        self.message = message
        self.subject = subject
    }

    enum CodingKeys: String, CodingKey {
        case alertID = "alert_id"
        case kind, severity
        case dedupeKey = "dedupe_key"
        case message, subject
    }

    public func validate() throws {
        try require(!alertID.isEmpty && alertID.utf8.count <= FieldLimits.identifier, "alert_id", "empty or too long")
        try require(!kind.isEmpty && kind.utf8.count <= FieldLimits.identifier, "kind", "empty or too long")
        try require(!dedupeKey.isEmpty && dedupeKey.utf8.count <= FieldLimits.shortText, "dedupe_key", "empty or too long")
        try requireLength(message, "message", max: FieldLimits.message)
        try requireLength(subject, "subject", max: FieldLimits.shortText)
    }
}

/// The condition behind the open alert with the same `dedupe_key` has cleared: the owner hears "resolved" for it.
public struct AlertResolved: LedgerEventPayload {
    public static let type = EventType.alertResolved
    public static let schemaVersion = 1

    /// Unique id of this resolution (a UUIDv7 in practice).
    public var alertID: String
    /// The `alert_id` of the `AlertRaised` it resolves.
    public var resolvesAlertID: String
    public var kind: String
    public var dedupeKey: String
    public var message: String

    public var stream: String { SystemStream.alerts }

    public init(alertID: String, resolvesAlertID: String, kind: String, dedupeKey: String, message: String) {
        self.alertID = alertID
        self.resolvesAlertID = resolvesAlertID
        self.kind = kind
        self.dedupeKey = dedupeKey
        self.message = message
    }

    enum CodingKeys: String, CodingKey {
        case alertID = "alert_id"
        case resolvesAlertID = "resolves_alert_id"
        case kind
        case dedupeKey = "dedupe_key"
        case message
    }

    public func validate() throws {
        try require(!alertID.isEmpty && alertID.utf8.count <= FieldLimits.identifier, "alert_id", "empty or too long")
        try require(
            !resolvesAlertID.isEmpty && resolvesAlertID.utf8.count <= FieldLimits.identifier, "resolves_alert_id",
            "empty or too long")
        try require(!kind.isEmpty && kind.utf8.count <= FieldLimits.identifier, "kind", "empty or too long")
        try require(!dedupeKey.isEmpty && dedupeKey.utf8.count <= FieldLimits.shortText, "dedupe_key", "empty or too long")
        try requireLength(message, "message", max: FieldLimits.message)
    }
}

public enum AlertSeverity: String, Codable, Sendable, CaseIterable {
    case info, warning, critical
}

/// A lead's personal data was destroyed (consent withdrawn). Its sealed payload stays in the log, unreadable.
public struct LeadErased: LedgerEventPayload {
    public static let type = EventType.leadErased
    public static let schemaVersion = 1

    public var leadID: LeadID
    public var reason: String

    public var stream: String { leadID.description }

    public init(leadID: LeadID, reason: String) {
        self.leadID = leadID
        self.reason = reason
    }

    enum CodingKeys: String, CodingKey {
        case leadID = "lead_id"
        case reason
    }

    public func validate() throws {
        try requireLength(reason, "reason", max: FieldLimits.message)
    }
}

/// A dead-lettered lead goes back into the retry queue, due at once, with a fresh retry budget.
public struct LeadRequeued: LedgerEventPayload {
    public static let type = EventType.leadRequeued
    public static let schemaVersion = 1

    public var leadID: LeadID
    public var requestedBy: String

    public var stream: String { leadID.description }

    public init(leadID: LeadID, requestedBy: String) {
        self.leadID = leadID
        self.requestedBy = requestedBy
    }

    enum CodingKeys: String, CodingKey {
        case leadID = "lead_id"
        case requestedBy = "requested_by"
    }

    public func validate() throws {
        try require(!requestedBy.isEmpty, "requested_by", "empty")
        try requireLength(requestedBy, "requested_by", max: FieldLimits.shortText)
    }
}
