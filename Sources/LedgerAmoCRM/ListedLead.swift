import Foundation

/// The HAL list body: `{"_page": 1, "_links": {...}, "_embedded": {"leads": [...]}}`.
struct LeadListBody: Decodable {
    struct Embedded: Decodable {
        var leads: [ListedLead]

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let raw = (try? container.decodeIfPresent([LenientElement<ListedLead>].self, forKey: .leads)) ?? []
            leads = raw.compactMap(\.value)
        }

        enum CodingKeys: String, CodingKey {
            case leads
        }
    }

    var embedded: Embedded?
    var links: Links?

    /// `_links.next` is present while more pages follow.
    struct Links: Decodable {
        struct Link: Decodable {}
        var next: Link?
    }

    enum CodingKeys: String, CodingKey {
        case embedded = "_embedded"
        case links = "_links"
    }
}

/// Decodes an element or nothing, so one odd lead does not hide the others.
struct LenientElement<Element: Decodable>: Decodable {
    var value: Element?

    init(from decoder: any Decoder) throws {
        value = try? Element(from: decoder)
    }
}

/// One lead as `GET /api/v4/leads` shows it, in a search or in a list: only what reconciliation reads. Every member
/// but the id is read leniently.
public struct ListedLead: Decodable, Sendable, Equatable {
    public var id: Int64
    public var name: String
    /// The lead's own custom-field values that are text.
    public var fieldTexts: [String]
    public var mainContactID: Int64?
    /// Unix seconds; nil when missing or unreadable.
    public var createdAt: Int64?

    public init(id: Int64, name: String, fieldTexts: [String] = [], mainContactID: Int64? = nil, createdAt: Int64? = nil) {
        self.id = id
        self.name = name
        self.fieldTexts = fieldTexts
        self.mainContactID = mainContactID
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, name
        case createdAt = "created_at"
        case customFieldsValues = "custom_fields_values"
        case embedded = "_embedded"
    }

    struct Field: Decodable {
        var values: [Value]?
        struct Value: Decodable {
            var value: LenientString?
        }
    }

    struct Embedded: Decodable {
        var contacts: [Contact]?
        struct Contact: Decodable {
            var id: Int64
            var isMain: Bool?

            enum CodingKeys: String, CodingKey {
                case id
                case isMain = "is_main"
            }
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(LenientInt64.self, forKey: .id).value
        name = container.lenientString(.name) ?? ""
        createdAt = container.lenientInt64(.createdAt)
        let fields = (try? container.decodeIfPresent([Field].self, forKey: .customFieldsValues)) ?? []
        fieldTexts = fields.flatMap { $0.values ?? [] }.compactMap { $0.value?.value }
        let contacts = (try? container.decodeIfPresent(Embedded.self, forKey: .embedded))?.contacts ?? []
        mainContactID = (contacts.first { $0.isMain == true } ?? contacts.first)?.id
    }

    /// Whether the lead carries this ledger id, exactly, in its name or in a custom field: every lead is written so.
    public func mentions(_ ledgerLeadID: String) -> Bool {
        name.contains(ledgerLeadID) || fieldTexts.contains { $0.contains(ledgerLeadID) }
    }
}
