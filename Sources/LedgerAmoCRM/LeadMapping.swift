/// How a ledger lead lands in one AmoCRM account: where (pipeline, stage, owner), under which name, and which of the
/// account's custom fields receive the ledger's values.
///
/// Every field id is optional, because a fresh account has none of them: with zero configuration a lead still
/// arrives with its contact, UTM tags and a name that carries the ledger id, which is all reconcile search needs.
public struct LeadMapping: Sendable, Equatable {
    /// Nil: AmoCRM's default, the first stage of the main pipeline.
    public var pipelineID: Int64?
    public var statusID: Int64?
    public var responsibleUserID: Int64?
    /// The start of every lead name; the form id and the ledger lead id follow, separated by ` · `.
    public var namePrefix: String
    public var fields: LeadCustomFields
    /// Tags added to every lead (for example `leadledger`), besides the UTM tags.
    public var tags: [String]

    public static let defaultNamePrefix = "Заявка с сайта"

    public init(
        pipelineID: Int64? = nil, statusID: Int64? = nil, responsibleUserID: Int64? = nil,
        namePrefix: String = LeadMapping.defaultNamePrefix, fields: LeadCustomFields = LeadCustomFields(), tags: [String] = []
    ) {
        self.pipelineID = pipelineID
        self.statusID = statusID
        self.responsibleUserID = responsibleUserID
        self.namePrefix = namePrefix
        self.fields = fields
        self.tags = tags
    }
}

/// Ids of the account's lead custom fields (`GET /api/v4/leads/custom_fields`) that receive ledger values.
///
/// A UTM key without a field becomes a tag `utm_source:yandex` instead, so attribution is never lost. Comment and
/// page URL without a field are left out of the create call and go into a note (see `LeadNoteRequest`), because the
/// alternative home, `_embedded.metadata`, would turn the lead into an "unsorted" one and silently ignore `status_id`.
public struct LeadCustomFields: Sendable, Equatable {
    /// A text field holding the ledger lead id; the name carries it too, so this is optional.
    public var ledgerLeadID: Int64?
    public var utmSource: Int64?
    public var utmMedium: Int64?
    public var utmCampaign: Int64?
    public var utmContent: Int64?
    public var utmTerm: Int64?
    public var formID: Int64?
    public var pageURL: Int64?
    public var comment: Int64?

    public init(
        ledgerLeadID: Int64? = nil, utmSource: Int64? = nil, utmMedium: Int64? = nil, utmCampaign: Int64? = nil,
        utmContent: Int64? = nil, utmTerm: Int64? = nil, formID: Int64? = nil, pageURL: Int64? = nil,
        comment: Int64? = nil
    ) {
        self.ledgerLeadID = ledgerLeadID
        self.utmSource = utmSource
        self.utmMedium = utmMedium
        self.utmCampaign = utmCampaign
        self.utmContent = utmContent
        self.utmTerm = utmTerm
        self.formID = formID
        self.pageURL = pageURL
        self.comment = comment
    }
}
