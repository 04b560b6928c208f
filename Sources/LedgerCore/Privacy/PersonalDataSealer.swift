import Crypto
import Foundation

/// Seals and opens a lead's personal data with that lead's own 256-bit key.
///
/// Why per-lead keys: the log is immutable, yet a person may withdraw consent. Destroying one key (kept outside the
/// event table) makes exactly one lead's data unreadable, while every hash in the chain still verifies.
public enum PersonalDataSealer {
    /// A fresh random key for a new lead.
    public static func makeKey() -> [UInt8] {
        SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
    }

    public static func seal(_ data: PersonalData, leadID: LeadID, key: [UInt8]) throws -> SealedPersonalData {
        let plaintext = try data.jsonText() ?? EventJSON.encode(data)
        let box = try AES.GCM.seal(
            Array(plaintext.utf8), using: SymmetricKey(data: key), authenticating: Array(leadID.description.utf8))
        guard let combined = box.combined else { throw SealingError(leadID: leadID, reason: "no combined representation") }
        return SealedPersonalData(box: combined.base64EncodedString())
    }

    public static func open(_ sealed: SealedPersonalData, leadID: LeadID, key: [UInt8]) throws -> PersonalData {
        guard sealed.algorithm == SealedPersonalData.algorithm, let combined = Data(base64Encoded: sealed.box) else {
            throw SealingError(leadID: leadID, reason: "unknown sealing format")
        }
        do {
            let box = try AES.GCM.SealedBox(combined: combined)
            let plaintext = try AES.GCM.open(box, using: SymmetricKey(data: key), authenticating: Array(leadID.description.utf8))
            return try JSONDecoder().decode(PersonalData.self, from: plaintext)
        } catch {
            throw SealingError(leadID: leadID, reason: "cannot open: \(error)")
        }
    }
}

/// Personal data could not be sealed or opened; carries the lead, never the data.
public struct SealingError: Error, CustomStringConvertible {
    public var leadID: LeadID
    public var reason: String
    public var description: String { "personal data of lead \(leadID): \(reason)" }
}
