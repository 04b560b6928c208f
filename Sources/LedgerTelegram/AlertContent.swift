import LedgerCore

/// Everything an alert text may say, and nothing else.
///
/// The fields mirror `AlertRaised` (kind, severity, message, subject) plus times and counts; there is no field for a
/// name, phone or email, so a personal value can only reach Telegram if a caller puts it into `message` or `subject`,
/// which `AlertRaised` already forbids. Every field is escaped when rendered.
public struct AlertContent: Sendable, Equatable {
    /// `AlertRaised.alertID`; its last 8 letters and digits are shown, so a rare duplicate after a timed-out send is
    /// recognisable as the same alert.
    public var alertID: String
    /// `lead_dead`, `crm_stopped`…: picks the "what to do" hint.
    public var kind: String
    public var severity: AlertSeverity
    /// What happened, in a sentence.
    public var message: String
    /// What it is about: a lead id, `amocrm`…
    public var subject: String?
    /// When the condition began (the first occurrence).
    public var since: Timestamp
    /// How many leads are affected, when known.
    public var affectedLeads: Int?
    /// How many times the condition has occurred so far; shown when more than 1 (a repeat let through by the
    /// throttle).
    public var occurrences: Int

    public init(
        alertID: String, kind: String, severity: AlertSeverity, message: String, subject: String? = nil, since: Timestamp,
        affectedLeads: Int? = nil, occurrences: Int = 1
    ) {
        self.alertID = alertID
        self.kind = kind
        self.severity = severity
        self.message = message
        self.subject = subject
        self.since = since
        self.affectedLeads = affectedLeads
        self.occurrences = occurrences
    }

    /// The short id shown in texts: the last 8 letters and digits of `alertID` (the random end of a UUIDv7; its
    /// start is a timestamp, shared by alerts raised in the same millisecond).
    public var shortID: String {
        String(alertID.filter { $0.isASCII && ($0.isLetter || $0.isNumber) }.suffix(8)).lowercased()
    }
}
