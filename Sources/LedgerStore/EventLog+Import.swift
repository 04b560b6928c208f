import Foundation
import GRDB
import LedgerCore

extension EventLog {
    /// Appends events recorded elsewhere exactly as they are (seq, times, hashes), with their leads' key rows, in one
    /// transaction: the copy of a log from another store (a PostgreSQL backup is written this way). The batch must
    /// continue this log's chain and every hash must match its event, or nothing is written. On an empty log, the
    /// source's contact-fingerprint key replaces the one made at open. `erasedKeys` are leads whose key rows the
    /// source no longer has: they are deleted in the same transaction.
    public func importVerbatim(
        _ events: [RecordedEvent], leadKeys: [LeadKeyRow], erasedKeys: [String], secret: [UInt8]
    ) throws(StoreError) {
        guard !events.isEmpty else { return }
        guard events.count <= options.maxEventsPerAppend else {
            throw StoreError(.invalidEvent, "\(events.count) events in one import; the limit is \(options.maxEventsPerAppend)")
        }
        let path = path
        let replacedSecret = try writeImmediate { db in
            let head = try ChainHead.fetch(db)
            try ChainContinuation.check(events, after: head, at: path)
            if head == nil {
                try db.execute(
                    sql: "UPDATE ledger_secret SET value = ? WHERE name = 'contact_fingerprint'", arguments: [Data(secret)])
            }
            let insertKey = try db.cachedStatement(
                sql: """
                    INSERT INTO lead_key (lead_id, key, phone_fingerprint, email_fingerprint, submission_fingerprint)
                    VALUES (?, ?, ?, ?, ?)
                    """)
            for key in leadKeys {
                try insertKey.execute(arguments: [
                    key.leadID, Data(key.key), key.phoneFingerprint, key.emailFingerprint, key.submissionFingerprint,
                ])
            }
            let insertEvent = try db.cachedStatement(
                sql: """
                    INSERT INTO event (seq, stream, version, type, schema_version, data, recorded_at, prev_hash, hash)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            for event in events {
                try insertEvent.execute(arguments: [
                    event.seq, event.stream, event.version, event.type, event.schemaVersion, event.data,
                    event.recordedAt.millisecondsSinceEpoch, event.prevHash, event.hash,
                ])
            }
            for leadID in erasedKeys {
                try db.execute(sql: "DELETE FROM lead_key WHERE lead_id = ?", arguments: [leadID])
            }
            return head == nil
        }
        // Leads received from now on are fingerprinted with the key their earlier doubles were.
        if replacedSecret { useContactSecret(secret) }
    }
}
