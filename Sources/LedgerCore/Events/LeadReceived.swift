/// A lead arrived and was accepted. The root fact every other lead event refers to.
///
/// Personal fields (name, phone, email, comment, page, unknown form fields) are never stored in clear: they sit in
/// `personal`, sealed with a key of this lead's own that lives outside the event table, so erasing the key erases
/// the person without rewriting the log. Deduplication uses keyed hashes of the normalised contact, kept outside the
/// event table too (erasure deletes them with the key), never the plaintext.
public struct LeadReceived: LedgerEventPayload {
    public static let type = EventType.leadReceived
    public static let schemaVersion = 1

    public var leadID: LeadID
    public var receivedAt: Timestamp
    public var origin: LeadOrigin
    public var formID: String?
    public var utm: UTM
    public var idempotencyKey: String?
    public var personal: SealedPersonalData
    /// Set when the submission looked like a bot's. Such a lead is kept (an auditor may ask what was filtered and
    /// why) but never synced and never counted as received, delivered or lost money. Absent for real leads.
    public var spam: SpamReason?

    public var stream: String { leadID.description }

    public init(
        leadID: LeadID, receivedAt: Timestamp, origin: LeadOrigin, formID: String?, utm: UTM,
        idempotencyKey: String?, personal: SealedPersonalData, spam: SpamReason? = nil
    ) {
        self.spam = spam
        self.leadID = leadID
        self.receivedAt = receivedAt
        self.origin = origin
        self.formID = formID
        self.utm = utm
        self.idempotencyKey = idempotencyKey
        self.personal = personal
    }

    enum CodingKeys: String, CodingKey {
        case leadID = "lead_id"
        case receivedAt = "received_at"
        case origin
        case formID = "form_id"
        case utm
        case idempotencyKey = "idempotency_key"
        case personal
        case spam
    }

    public func validate() throws {
        try requireLength(formID, "form_id", max: FieldLimits.shortText)
        try requireLength(idempotencyKey, "idempotency_key", max: FieldLimits.idempotencyKey)
        try require(idempotencyKey.map { !$0.isEmpty } ?? true, "idempotency_key", "empty")
        try utm.validate()
        try personal.validate()
    }
}

/// Why a submission was recorded as spam.
public enum SpamReason: String, Codable, Sendable, CaseIterable {
    /// A hidden form field that people never see, and bots fill in, was filled in.
    case honeypot
}

/// How a lead entered the ledger.
public enum LeadOrigin: String, Codable, Sendable, CaseIterable {
    /// Posted to the ingest endpoint.
    case http
    /// Restored from an export by `leadledger import`.
    case `import`
}

/// Campaign attribution. Not personal data, so stored in clear: reports break money down by it.
public struct UTM: Codable, Sendable, Equatable {
    public var source: String?
    public var medium: String?
    public var campaign: String?
    public var content: String?
    public var term: String?

    public init(
        source: String? = nil, medium: String? = nil, campaign: String? = nil, content: String? = nil,
        term: String? = nil
    ) {
        self.source = source
        self.medium = medium
        self.campaign = campaign
        self.content = content
        self.term = term
    }

    func validate() throws {
        for (name, value) in [
            ("source", source), ("medium", medium), ("campaign", campaign), ("content", content), ("term", term),
        ] {
            if let value, value.utf8.count > FieldLimits.shortText {
                throw EventValidationError(field: "utm.\(name)", reason: "longer than \(FieldLimits.shortText) bytes")
            }
        }
    }
}
