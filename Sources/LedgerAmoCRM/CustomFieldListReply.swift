import Foundation
import LedgerOutbound

/// The entities whose custom fields `check-amocrm` reads: lead fields receive the ledger's values
/// (`LEADLEDGER_AMOCRM_FIELDS`), contact fields its phone and email by code.
public enum CustomFieldEntity: String, Sendable, CaseIterable {
    case leads, contacts
}

/// The meaning of one page of `GET /api/v4/{leads|contacts}/custom_fields?page=N&limit=250`. Paged like every
/// list: a full page, or one linking a next, may be followed by more; an empty page is 204.
public enum CustomFieldListReply: Sendable, Equatable {
    case page(fields: [CustomField], isLast: Bool)
    case failed(AmoCRMFailure)

    public static func classify(_ exchange: HTTPExchange, limit: Int) -> CustomFieldListReply {
        switch ListExchange(exchange, what: "field list") {
        case .failed(let failure):
            return .failed(failure)
        case .empty:
            return .page(fields: [], isLast: true)
        case .body(let reply):
            guard let body = try? JSONDecoder().decode(CustomFieldListBody.self, from: Data(reply.body)),
                let embedded = body.embedded
            else {
                return .failed(.malformedReply(status: reply.status, reason: "field list reply is not a list of fields"))
            }
            let fields = embedded.customFields.compactMap(\.value)
            return .page(fields: fields, isLast: embedded.customFields.count < limit && body.links?.next == nil)
        }
    }
}

/// A custom field as the list shows it: enough to tell whether a configured id exists and can hold text.
public struct CustomField: Decodable, Sendable, Equatable {
    public var id: Int64
    public var name: String
    /// AmoCRM's field type: `text`, `numeric`, `url`, `multitext`, …
    public var type: String
    /// A predefined field's code (`PHONE`, `EMAIL`); nil for the account's own fields.
    public var code: String?

    /// The types that take the plain text value the reactor writes (`{"value": "…"}`); the others want numbers,
    /// enums or dates, and AmoCRM refuses every lead written to them.
    public static let textTypes: Set<String> = ["text", "textarea", "url", "tracking_data", "streetaddress"]

    public init(id: Int64, name: String, type: String, code: String? = nil) {
        self.id = id
        self.name = name
        self.type = type
        self.code = code
    }

    public var takesText: Bool { Self.textTypes.contains(type) }

    enum CodingKeys: String, CodingKey {
        case id, name, type, code
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(LenientInt64.self, forKey: .id).value
        name = container.lenientString(.name) ?? ""
        type = container.lenientString(.type) ?? ""
        code = container.lenientString(.code)
    }
}

/// `{"_links": {"next": …}, "_embedded": {"custom_fields": [...]}}`.
private struct CustomFieldListBody: Decodable {
    struct Embedded: Decodable {
        var customFields: [LenientElement<CustomField>]

        enum CodingKeys: String, CodingKey {
            case customFields = "custom_fields"
        }
    }

    var embedded: Embedded?
    var links: LeadListBody.Links?

    enum CodingKeys: String, CodingKey {
        case embedded = "_embedded"
        case links = "_links"
    }
}

extension CustomFieldListReply: AmoCRMReadReply {
    public var failure: AmoCRMFailure? {
        if case .failed(let failure) = self { failure } else { nil }
    }
}
