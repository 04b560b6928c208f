import LedgerCore

/// One ledger lead, opened, as the CRM request builder needs it.
///
/// The reactor builds it from `LeadReceived` plus the unsealed `PersonalData`; nothing here is stored, so the personal
/// data lives only as long as the request being built.
public struct OutgoingLead: Sendable, Equatable {
    public var leadID: LeadID
    public var receivedAt: Timestamp
    public var formID: String?
    public var utm: UTM
    public var personal: PersonalData

    public init(leadID: LeadID, receivedAt: Timestamp, formID: String?, utm: UTM, personal: PersonalData) {
        self.leadID = leadID
        self.receivedAt = receivedAt
        self.formID = formID
        self.utm = utm
        self.personal = personal
    }

    /// The `request_id` sent with this lead and echoed by AmoCRM: the ledger lead id, so a reply matches a lead
    /// without any table kept on the side.
    public var requestID: String { leadID.description }
}
