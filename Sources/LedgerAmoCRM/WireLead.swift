import Foundation
import LedgerCore

/// One element of the `/leads/complex` array, shaped as AmoCRM reads it (amocrm-api-php `LeadModel::toComplexApi`).
/// Optional properties are left out of the JSON when nil, which is how AmoCRM's defaults (pipeline, stage) apply.
struct WireLead: Encodable {
    var name: String
    var createdAt: Int64
    var pipelineID: Int64?
    var statusID: Int64?
    var responsibleUserID: Int64?
    var customFieldsValues: [WireField]?
    var requestID: String
    var embedded: WireLeadEmbedded

    enum CodingKeys: String, CodingKey {
        case name
        case createdAt = "created_at"
        case pipelineID = "pipeline_id"
        case statusID = "status_id"
        case responsibleUserID = "responsible_user_id"
        case customFieldsValues = "custom_fields_values"
        case requestID = "request_id"
        case embedded = "_embedded"
    }

    var customFieldCount: Int { customFieldsValues?.count ?? 0 }

    init(lead: OutgoingLead, mapping: LeadMapping) {
        name = ComplexLeadRequest.leadName(for: lead, prefix: mapping.namePrefix)
        // The time the person submitted the form, not the time of sync: after an outage the CRM still shows when
        // the lead really arrived.
        createdAt = lead.receivedAt.millisecondsSinceEpoch / 1000
        pipelineID = mapping.pipelineID
        statusID = mapping.statusID
        responsibleUserID = mapping.responsibleUserID
        requestID = lead.requestID

        let ids = mapping.fields
        var fields: [WireField] = []
        var tags = mapping.tags.compactMap(WireTag.init(name:))
        fields.appendText(lead.leadID.description, to: ids.ledgerLeadID)
        for (key, value, fieldID) in [
            ("utm_source", lead.utm.source, ids.utmSource), ("utm_medium", lead.utm.medium, ids.utmMedium),
            ("utm_campaign", lead.utm.campaign, ids.utmCampaign), ("utm_content", lead.utm.content, ids.utmContent),
            ("utm_term", lead.utm.term, ids.utmTerm),
        ] {
            guard let value, !value.isEmpty else { continue }
            if fieldID != nil {
                fields.appendText(value, to: fieldID)
            } else if let tag = WireTag(name: "\(key):\(value)") {
                tags.append(tag)
            }
        }
        fields.appendText(lead.formID, to: ids.formID)
        fields.appendText(lead.personal.pageURL, to: ids.pageURL)
        fields.appendText(lead.personal.comment, to: ids.comment)
        customFieldsValues = fields.isEmpty ? nil : fields
        embedded = WireLeadEmbedded(tags: tags.isEmpty ? nil : tags, contacts: WireContact(lead.personal).map { [$0] })
    }
}

struct WireLeadEmbedded: Encodable {
    var tags: [WireTag]?
    var contacts: [WireContact]?
}

/// A tag by name; AmoCRM creates unknown tags on the fly.
struct WireTag: Encodable {
    /// Tag names longer than this are cut (AmoCRM's own bound is undocumented).
    static let maxCharacters = 255
    var name: String

    init?(name: String) {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return nil }
        self.name = String(trimmed.prefix(Self.maxCharacters))
    }
}

/// The lead's one contact. `first_name` is the person's name, or their phone or email when the form had no name,
/// because AmoCRM shows an unnamed contact as "no name" and a manager then has nothing to call them by.
struct WireContact: Encodable {
    var firstName: String
    var customFieldsValues: [WireField]?

    enum CodingKeys: String, CodingKey {
        case firstName = "first_name"
        case customFieldsValues = "custom_fields_values"
    }

    init?(_ personal: PersonalData) {
        let name = personal.name?.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let label = [name, personal.phone, personal.email].compactMap({ $0 }).first(where: { !$0.isEmpty }) else {
            return nil
        }
        firstName = label
        var fields: [WireField] = []
        if let phone = personal.phone, !phone.isEmpty {
            fields.append(WireField(fieldCode: "PHONE", values: [WireFieldValue(value: phone, enumCode: "WORK")]))
        }
        if let email = personal.email, !email.isEmpty {
            fields.append(WireField(fieldCode: "EMAIL", values: [WireFieldValue(value: email, enumCode: "WORK")]))
        }
        customFieldsValues = fields.isEmpty ? nil : fields
    }
}

/// A custom-field value, addressed by account field id or by a system field code (PHONE, EMAIL).
struct WireField: Encodable {
    var fieldID: Int64?
    var fieldCode: String?
    var values: [WireFieldValue]

    init(fieldID: Int64? = nil, fieldCode: String? = nil, values: [WireFieldValue]) {
        self.fieldID = fieldID
        self.fieldCode = fieldCode
        self.values = values
    }

    enum CodingKeys: String, CodingKey {
        case fieldID = "field_id"
        case fieldCode = "field_code"
        case values
    }
}

struct WireFieldValue: Encodable {
    var value: String
    var enumCode: String?

    init(value: String, enumCode: String? = nil) {
        self.value = value
        self.enumCode = enumCode
    }

    enum CodingKeys: String, CodingKey {
        case value
        case enumCode = "enum_code"
    }
}

extension [WireField] {
    /// Appends a text value when both a field id and a non-empty value exist.
    mutating func appendText(_ value: String?, to fieldID: Int64?) {
        guard let fieldID, let value, !value.isEmpty else { return }
        append(WireField(fieldID: fieldID, values: [WireFieldValue(value: value)]))
    }
}
