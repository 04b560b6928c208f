import Crypto

/// Keyed hashes of normalised contacts, for deduplication without keeping phone numbers or emails in clear.
///
/// HMAC-SHA256 with a secret of the ledger's own, so a digest alone cannot be matched against a list of phone numbers.
/// The secret lives in the same file as the log, so anyone holding the file could still try every number: that is
/// why fingerprints are kept outside the event table and deleted on erasure, like the lead's key.
public struct ContactFingerprinter: Sendable {
    private let key: SymmetricKey

    public init(secret: [UInt8]) {
        precondition(secret.count >= 32, "contact fingerprint secret must be at least 256 bits")
        key = SymmetricKey(data: secret)
    }

    /// `phone` must already be E.164.
    public func phone(_ phone: String) -> String { digest("phone:" + phone) }

    /// Emails compare case-insensitively.
    public func email(_ email: String) -> String { digest("email:" + email.lowercased()) }

    private func digest(_ text: String) -> String {
        Hex.encode(HMAC<SHA256>.authenticationCode(for: Array(text.utf8), using: key))
    }
}
