import Foundation

/// The parts of a lead that identify a person. Held in clear only in memory; stored sealed.
public struct PersonalData: Codable, Sendable, Equatable {
    public var name: String?
    /// E.164, normalised by ingest (`+79161234567`).
    public var phone: String?
    public var email: String?
    public var comment: String?
    public var pageURL: String?
    /// Form fields the ledger has no column for, kept because a landing page may send anything, including personal data.
    public var extra: [String: String]

    public init(
        name: String? = nil, phone: String? = nil, email: String? = nil, comment: String? = nil,
        pageURL: String? = nil, extra: [String: String] = [:]
    ) {
        self.name = name
        self.phone = phone
        self.email = email
        self.comment = comment
        self.pageURL = pageURL
        self.extra = extra
    }

    enum CodingKeys: String, CodingKey {
        case name, phone, email, comment
        case pageURL = "page_url"
        case extra
    }
}

/// `PersonalData` sealed with the lead's own key (AES-256-GCM; the lead id is the associated data, so a sealed
/// payload cannot be moved to another lead). `box` is base64 of nonce ‖ ciphertext ‖ tag.
public struct SealedPersonalData: Codable, Sendable, Equatable {
    public static let algorithm = "AES-256-GCM"

    public var algorithm: String
    public var box: String

    public init(algorithm: String = SealedPersonalData.algorithm, box: String) {
        self.algorithm = algorithm
        self.box = box
    }

    enum CodingKeys: String, CodingKey {
        case algorithm = "alg"
        case box
    }

    func validate() throws {
        guard algorithm == Self.algorithm else {
            throw EventValidationError(field: "personal.alg", reason: "unknown algorithm \(algorithm)")
        }
        guard box.utf8.count <= FieldLimits.sealedPersonalData else {
            throw EventValidationError(field: "personal.box", reason: "longer than \(FieldLimits.sealedPersonalData) bytes")
        }
        guard let bytes = [UInt8](base64Encoded: box), bytes.count >= 28 else {
            throw EventValidationError(field: "personal.box", reason: "not base64 of nonce, ciphertext and tag")
        }
    }
}

/// What a reader gets when it asks for a lead's personal data.
public enum PersonalDataLookup: Sendable, Equatable {
    case available(PersonalData)
    /// The key was destroyed by `leadledger erase`; the data is gone for good.
    case erased
}

extension Array where Element == UInt8 {
    init?(base64Encoded text: String) {
        guard let data = Data(base64Encoded: text) else { return nil }
        self = Array(data)
    }
}
