import Foundation
import GRDB
import LedgerCore

/// One lead's erasable row (`lead_key`) as it is stored: what a copy of the log to another backend needs beside the
/// events, since the events hold only sealed personal data and the key opens it.
public struct LeadKeyRow: Sendable, Equatable {
    public var leadID: String
    public var key: [UInt8]
    public var phoneFingerprint: String?
    public var emailFingerprint: String?
    public var submissionFingerprint: String?

    public init(
        leadID: String, key: [UInt8], phoneFingerprint: String?, emailFingerprint: String?, submissionFingerprint: String?
    ) {
        self.leadID = leadID
        self.key = key
        self.phoneFingerprint = phoneFingerprint
        self.emailFingerprint = emailFingerprint
        self.submissionFingerprint = submissionFingerprint
    }
}

extension EventLog {
    /// The `lead_key` rows of `leadIDs` that still exist (an erased lead has none), in no particular order.
    public func leadKeys(_ leadIDs: [String]) throws(StoreError) -> [LeadKeyRow] {
        guard !leadIDs.isEmpty else { return [] }
        return try read { db in
            var rows: [LeadKeyRow] = []
            // SQLite's bound-parameter limit is far above a page, but chunks keep each statement small.
            for chunk in stride(from: 0, to: leadIDs.count, by: 500).map({ leadIDs[$0..<min($0 + 500, leadIDs.count)] }) {
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                let fetched = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT lead_id, key, phone_fingerprint, email_fingerprint, submission_fingerprint
                        FROM lead_key WHERE lead_id IN (\(marks))
                        """, arguments: StatementArguments(Array(chunk)))
                rows += fetched.map { row in
                    LeadKeyRow(
                        leadID: row["lead_id"], key: Array((row["key"] as Data?) ?? Data()),
                        phoneFingerprint: row["phone_fingerprint"], emailFingerprint: row["email_fingerprint"],
                        submissionFingerprint: row["submission_fingerprint"])
                }
            }
            return rows
        }
    }

    /// The key contact fingerprints are made with (HMAC-SHA-256): a copy of the log must carry it, or its
    /// fingerprints could no longer be matched against new leads.
    public func contactFingerprintSecret() throws(StoreError) -> [UInt8] {
        let secret = try read { db in
            try Data.fetchOne(db, sql: "SELECT value FROM ledger_secret WHERE name = 'contact_fingerprint'")
        }
        guard let secret, secret.count >= 32 else {
            throw StoreError(.corrupt, "the contact fingerprint secret is missing", path: path)
        }
        return Array(secret)
    }
}
