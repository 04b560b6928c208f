import LedgerCore
import LedgerStore
import PostgresNIO

extension PostgresEventLog {
    /// The contact-fingerprint key of this database.
    public func contactFingerprintSecret() async throws(StoreError) -> [UInt8] {
        let logger = logger
        let secret = try await withConnection { connection in
            try await connection.bytes(PostgresSchema.contactSecretQuery, logger: logger)
        }
        guard let secret, secret.count >= 32 else {
            throw StoreError(.corrupt, "the contact fingerprint secret is missing", path: location.description)
        }
        return secret
    }

    /// The `lead_key` rows of `leadIDs` that still exist (an erased lead has none), in no particular order.
    public func leadKeys(_ leadIDs: [String]) async throws(StoreError) -> [LeadKeyRow] {
        guard !leadIDs.isEmpty else { return [] }
        let logger = logger
        return try await withConnection { connection in
            let rows = try await connection.query(
                """
                SELECT lead_id, key, phone_fingerprint, email_fingerprint, submission_fingerprint
                FROM lead_key WHERE lead_id = ANY(\(leadIDs))
                """, logger: logger)
            var keys: [LeadKeyRow] = []
            for try await (leadID, key, phone, email, submission) in rows.decode(
                (String, ByteBuffer, String?, String?, String?).self)
            {
                keys.append(
                    LeadKeyRow(
                        leadID: leadID, key: Array(key.readableBytesView), phoneFingerprint: phone, emailFingerprint: email,
                        submissionFingerprint: submission))
            }
            return keys
        }
    }

    /// Appends events recorded elsewhere exactly as they are (seq, times, hashes), with their leads' key rows, in one
    /// transaction: the copy of a log from another backend. The batch must continue this log's chain (its first
    /// `prev_hash` is the head's hash, its seqs follow without a gap) and every hash must match its event, or nothing
    /// is written. On an empty log, the source's contact-fingerprint key replaces the one made at open.
    /// `erasedKeys` are leads whose key rows the source no longer has (erased after an earlier run copied them): they
    /// are deleted here in the same transaction.
    public func importVerbatim(
        _ events: [RecordedEvent], leadKeys: [LeadKeyRow], erasedKeys: [String], secret: [UInt8]
    ) async throws(StoreError) {
        guard !events.isEmpty else { return }
        guard events.count <= options.maxEventsPerAppend else {
            throw StoreError(.invalidEvent, "\(events.count) events in one import; the limit is \(options.maxEventsPerAppend)")
        }
        let logger = logger
        let path = location.description
        let replacedSecret = try await transaction { connection in
            let head = try await Self.lockHead(connection, logger)
            try ChainContinuation.check(events, after: head, at: path)
            if head == nil {
                try await connection.execute("DELETE FROM ledger_secret WHERE name = 'contact_fingerprint'", logger: logger)
                try await connection.execute(
                    "INSERT INTO ledger_secret (name, value) VALUES ('contact_fingerprint', \(ByteBuffer(bytes: secret)))",
                    logger: logger)
            }
            try await Self.insert(events, keys: leadKeys, connection, logger)
            if !erasedKeys.isEmpty {
                try await connection.execute("DELETE FROM lead_key WHERE lead_id = ANY(\(erasedKeys))", logger: logger)
            }
            return head == nil
        }
        // Leads received from now on are fingerprinted with the key their earlier doubles were.
        if replacedSecret { useContactSecret(secret) }
    }
}
