import LedgerCore

/// A lead as the ingest endpoint accepted it: validated, trimmed, NFC-normalised, ready to be sealed into a
/// `LeadReceived` event.
public struct LeadSubmission: Sendable, Equatable {
    /// Name, E.164 phone, email (domain lowercased, local part as typed), comment, page URL and unknown fields.
    public var personal: PersonalData
    public var formID: String?
    public var utm: UTM
    /// The honeypot field was filled in: a bot, most likely. Still a valid submission, so it can be recorded as
    /// spam rather than bounced back to the bot with a hint.
    public var honeypotTripped: Bool
    /// The raw `_redirect` field. Not validated here: the server checks it against its allowlist.
    public var redirect: String?

    public init(
        personal: PersonalData, formID: String? = nil, utm: UTM = UTM(), honeypotTripped: Bool = false,
        redirect: String? = nil
    ) {
        self.personal = personal
        self.formID = formID
        self.utm = utm
        self.honeypotTripped = honeypotTripped
        self.redirect = redirect
    }
}
