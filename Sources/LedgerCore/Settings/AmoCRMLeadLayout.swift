import Foundation

/// Where a lead's values land in the AmoCRM account: its owner, name, tags and custom fields.
///
/// Read from `LEADLEDGER_AMOCRM_RESPONSIBLE_USER_ID`, `LEADLEDGER_AMOCRM_LEAD_NAME`, `LEADLEDGER_AMOCRM_TAGS` and
/// `LEADLEDGER_AMOCRM_FIELDS`. All optional: a fresh account has no custom fields, and a lead still arrives with its
/// contact, its UTM values as tags and its comment as a note.
public struct AmoCRMLeadLayout: Sendable, Equatable {
    /// The user the lead is assigned to; nil = AmoCRM's default (the integration's owner).
    public var responsibleUserID: Int64?
    /// The start of every lead name; the ledger id follows it, so a person can find the lead by id in AmoCRM.
    public var namePrefix: String?
    /// Tags added to every lead, besides the UTM tags.
    public var tags: [String]
    /// Custom field id for each ledger value mapped to one.
    public var fieldIDs: [AmoCRMLeadField: Int64]

    /// AmoCRM limits a tag name to 255 characters; ten fixed tags are plenty for routing.
    public static let maxTags = 10
    public static let maxTagLength = 100
    public static let maxNamePrefixLength = 100

    public init(
        responsibleUserID: Int64? = nil, namePrefix: String? = nil, tags: [String] = [],
        fieldIDs: [AmoCRMLeadField: Int64] = [:]
    ) {
        self.responsibleUserID = responsibleUserID
        self.namePrefix = namePrefix
        self.tags = tags
        self.fieldIDs = fieldIDs
    }

    init(reader: inout SettingsReader) {
        responsibleUserID = reader.optionalInteger("LEADLEDGER_AMOCRM_RESPONSIBLE_USER_ID", range: 1...Int64.max)
        namePrefix = reader.string("LEADLEDGER_AMOCRM_LEAD_NAME")
        if let prefix = namePrefix,
            prefix.count > Self.maxNamePrefixLength || prefix.unicodeScalars.contains(where: { $0.value < 0x20 })
        {
            reader.problem(
                "LEADLEDGER_AMOCRM_LEAD_NAME", "must be one line of at most \(Self.maxNamePrefixLength) characters")
        }
        tags = (reader.string("LEADLEDGER_AMOCRM_TAGS") ?? "").split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if tags.count > Self.maxTags || tags.contains(where: { $0.count > Self.maxTagLength }) {
            reader.problem(
                "LEADLEDGER_AMOCRM_TAGS",
                "must be at most \(Self.maxTags) comma-separated tags of at most \(Self.maxTagLength) characters each")
        }
        fieldIDs = Self.fieldIDs(&reader)
    }

    /// `comment=512345, utm_source=512346`: each ledger value at most once, each field id used by one value only
    /// (two values in one field would overwrite each other).
    private static func fieldIDs(_ reader: inout SettingsReader) -> [AmoCRMLeadField: Int64] {
        let key = "LEADLEDGER_AMOCRM_FIELDS"
        guard let text = reader.string(key) else { return [:] }
        var map: [AmoCRMLeadField: Int64] = [:]
        for entry in text.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = entry.split(separator: "=", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, let field = AmoCRMLeadField(rawValue: parts[0]), let id = Int64(parts[1]), id > 0 else {
                let names = AmoCRMLeadField.allCases.map(\.rawValue).joined(separator: ", ")
                reader.problem(
                    key,
                    "\"\(entry.trimmingCharacters(in: .whitespaces))\" is not VALUE=FIELD_ID (VALUE one of \(names); FIELD_ID a positive number)"
                )
                continue
            }
            if map[field] != nil {
                reader.problem(key, "maps \(field.rawValue) twice")
            } else if let other = map.first(where: { $0.value == id })?.key {
                reader.problem(key, "puts \(other.rawValue) and \(field.rawValue) into the same field \(id)")
            }
            map[field] = id
        }
        return map
    }
}

/// A ledger value that can be written into an AmoCRM lead custom field; the raw value is the name used in
/// `LEADLEDGER_AMOCRM_FIELDS`.
public enum AmoCRMLeadField: String, Sendable, CaseIterable, Hashable {
    case ledgerID = "ledger_id"
    case utmSource = "utm_source"
    case utmMedium = "utm_medium"
    case utmCampaign = "utm_campaign"
    case utmContent = "utm_content"
    case utmTerm = "utm_term"
    case formID = "form_id"
    case pageURL = "page_url"
    case comment
}
