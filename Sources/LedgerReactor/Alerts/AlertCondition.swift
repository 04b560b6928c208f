import LedgerCore

/// A condition a rule finds true now. While it holds, its alert stays open; when it no longer holds, the alert is
/// resolved. `raises: false` only keeps an alert raised elsewhere open (the sync engine raises `crm_stopped` on a
/// ban or a payment problem; the rules resolve it once the circuit closes).
public struct AlertCondition: Sendable, Equatable {
    public var kind: String
    public var key: String
    public var severity: AlertSeverity
    public var message: String
    public var subject: String?
    public var raises: Bool

    public init(
        kind: String, key: String? = nil, severity: AlertSeverity, message: String, subject: String? = nil, raises: Bool = true
    ) {
        self.kind = kind
        self.key = key ?? kind
        self.severity = severity
        self.message = message
        self.subject = subject
        self.raises = raises
    }
}
