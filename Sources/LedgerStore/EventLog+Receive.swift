import Foundation
import GRDB
import LedgerCore

/// A lead as ingest (or import) hands it to the log, personal data still in clear.
public struct NewLead: Sendable {
    public var leadID: LeadID
    public var receivedAt: Timestamp
    public var origin: LeadOrigin
    public var formID: String?
    public var utm: UTM
    public var idempotencyKey: String?
    public var personal: PersonalData
    /// A digest of the request as submitted, kept (erasably) to answer a reused idempotency key with a different body.
    public var submissionFingerprint: String?
    /// When set, a lead with the same phone or email and the same form received since `since` makes this one a
    /// double submission (a double click, a re-sent form): not written, answered with the earlier lead's receipt.
    public var duplicateWindowStart: Timestamp?
    /// The window's end (inclusive). Nil for ingest: a live lead is the newest there is, so "since" is the whole
    /// question. An imported lead sits in the past, and leads received after it (days of them) are not its double:
    /// its window is the span around its original time, closed at both ends.
    public var duplicateWindowEnd: Timestamp?
    /// Recorded as spam: kept for the audit trail, never synced, never matched as the earlier half of a double
    /// submission (a real lead must not be swallowed by a bot's entry with the same contact).
    public var spam: SpamReason?

    public init(
        leadID: LeadID, receivedAt: Timestamp, origin: LeadOrigin = .http, formID: String? = nil, utm: UTM = UTM(),
        idempotencyKey: String? = nil, personal: PersonalData, submissionFingerprint: String? = nil,
        duplicateWindowStart: Timestamp? = nil, duplicateWindowEnd: Timestamp? = nil, spam: SpamReason? = nil
    ) {
        self.spam = spam
        self.duplicateWindowEnd = duplicateWindowEnd
        self.submissionFingerprint = submissionFingerprint
        self.duplicateWindowStart = duplicateWindowStart
        self.leadID = leadID
        self.receivedAt = receivedAt
        self.origin = origin
        self.formID = formID
        self.utm = utm
        self.idempotencyKey = idempotencyKey
        self.personal = personal
    }
}

/// Proof that a lead is in the log: the site owner can later check `seq` and `hash` against `leadledger verify`.
public struct LeadReceipt: Sendable, Equatable {
    public var leadID: LeadID
    public var seq: Int64
    public var hash: String
    /// True when the idempotency key was already in the log: nothing was written, this is the original receipt.
    public var duplicate: Bool { duplicateReason != nil }
    /// Why nothing was written, when nothing was.
    public var duplicateReason: DuplicateReason?

    public init(leadID: LeadID, seq: Int64, hash: String, duplicateReason: DuplicateReason? = nil) {
        self.leadID = leadID
        self.seq = seq
        self.hash = hash
        self.duplicateReason = duplicateReason
    }
}

/// Why a submitted lead was answered with an earlier lead's receipt.
public enum DuplicateReason: Sendable, Equatable {
    /// The idempotency key was already in the log.
    case idempotencyKey
    /// The same contact submitted the same form within the duplicate window.
    case doubleSubmission
}

extension EventLog {
    /// Records leads, one receipt per lead in the same order, all in one transaction.
    ///
    /// A lead whose idempotency key is already in the log (or earlier in the same batch) is not written; its receipt
    /// is the original one with `duplicate = true`. Personal data is sealed with a fresh per-lead key and the contact
    /// fingerprints are computed before the write lock is taken.
    public func receive(_ leads: [NewLead]) throws(StoreError) -> [LeadReceipt] {
        try checkBatchSize(leads.count)
        return try receive(prepared: try leads.map { lead throws(StoreError) in try prepare(lead) })
    }

    /// Records leads already prepared (sealed, encoded, fingerprinted) by `prepare`, all in one transaction.
    ///
    /// Why split: preparing costs more CPU than the transaction itself (docs/BENCHMARKS.md) and needs no lock, so
    /// group commit has each request prepare its own lead and keeps only the transaction on its single writer thread.
    public func receive(prepared: [PreparedLead]) throws(StoreError) -> [LeadReceipt] {
        guard !prepared.isEmpty else { return [] }
        try checkBatchSize(prepared.count)
        let now = clock.now()
        // Live windows (open-ended: ingest's) are answered from the recent contacts; closed ones (import's, in the
        // past) by a bounded scan of the log.
        let liveSince = prepared.compactMap { $0.duplicateWindowEnd == nil ? $0.duplicateWindowStart : nil }
            .map(\.millisecondsSinceEpoch).min()
        let (receipts, written, start, end) = try writeImmediate { db in
            var writer = try ChainWriter(db, recordedAt: now)
            let start = try liveSince.map { since in
                try recentContacts.level(db, head: writer.headSeq, since: since)
            }
            var written: [RecentContactRing.Contact] = []
            var end = start ?? 0
            let receipts = try prepared.map { lead in
                if let key = lead.event.idempotencyKey, let original = try Self.receipt(forIdempotencyKey: key, db) {
                    return original
                }
                if let since = lead.duplicateWindowStart,
                    let earlier = try doubleSubmission(
                        of: lead, since: since, until: lead.duplicateWindowEnd, written: start == nil ? nil : written, db)
                {
                    return earlier
                }
                try db.cachedStatement(
                    sql: """
                        INSERT INTO lead_key (lead_id, key, phone_fingerprint, email_fingerprint, submission_fingerprint)
                        VALUES (?, ?, ?, ?, ?)
                        """
                ).execute(arguments: [
                    lead.event.leadID.description, Data(lead.key), lead.phoneFingerprint, lead.emailFingerprint,
                    lead.submissionFingerprint,
                ])
                let recorded = try writer.append(
                    stream: lead.event.stream, type: .leadReceived, schemaVersion: LeadReceived.schemaVersion,
                    data: lead.data, expected: .noStream)
                written += RecentContacts.contacts(lead.event.leadID, phone: lead.phoneFingerprint, email: lead.emailFingerprint)
                end = recorded.seq
                return LeadReceipt(leadID: lead.event.leadID, seq: recorded.seq, hash: recorded.hash)
            }
            return (receipts, written, start, end)
        }
        if let start { recentContacts.committed(written, after: start, through: end) }
        return receipts
    }

    /// Records one lead.
    public func receive(_ lead: NewLead) throws(StoreError) -> LeadReceipt {
        guard let receipt = try receive([lead]).first else { throw StoreError(.other, "receive wrote nothing") }
        return receipt
    }

    /// The original receipt for an idempotency key, or nil if the key was never used.
    public func receipt(forIdempotencyKey key: String) throws(StoreError) -> LeadReceipt? {
        try read { db in try Self.receipt(forIdempotencyKey: key, db) }
    }

    static func receipt(forIdempotencyKey key: String, _ db: Database) throws -> LeadReceipt? {
        // The expression and the type test match the partial unique index, so this is an index lookup.
        let statement = try db.cachedStatement(
            sql: """
                SELECT stream, seq, hash FROM event
                WHERE type = 'LeadReceived' AND json_extract(data, '$.idempotency_key') = ?
                """)
        guard let row = try Row.fetchOne(statement, arguments: [key]) else { return nil }
        guard let leadID = LeadID(row["stream"] as String) else {
            throw StoreError(.corrupt, "LeadReceived at seq \(row["seq"] as Int64) has a stream that is not a lead id")
        }
        return LeadReceipt(leadID: leadID, seq: row["seq"], hash: row["hash"], duplicateReason: .idempotencyKey)
    }

    private func checkBatchSize(_ count: Int) throws(StoreError) {
        guard count <= options.maxEventsPerAppend else {
            throw StoreError(.invalidEvent, "\(count) leads in one call; the limit is \(options.maxEventsPerAppend)")
        }
    }

    /// The newest lead in `since...until` (no end: up to now) with the same phone or email fingerprint and the same
    /// form, read inside the receiving transaction so two concurrent double clicks cannot both be written.
    ///
    /// With `written` (the receiving transaction's own contacts, its recent contacts levelled) a live window is
    /// answered from `RecentContacts`, each candidate confirmed in the log; otherwise, or when the window reaches
    /// back beyond what the ring holds, by a scan of the window's lead ids (minted at `received_at`, an imported
    /// lead's too, so the window is a range of ids), newest first, of at most `maxPageSize` rows.
    func doubleSubmission(
        of lead: PreparedLead, since: Timestamp, until: Timestamp?, written: [RecentContactRing.Contact]? = nil,
        _ db: Database
    ) throws -> LeadReceipt? {
        guard lead.phoneFingerprint != nil || lead.emailFingerprint != nil else { return nil }
        if let written, until == nil {
            let keys = [lead.phoneFingerprint, lead.emailFingerprint].compactMap { RecentContactRing.key($0) }
            if let candidates = recentContacts.candidates(
                keys, since: since.millisecondsSinceEpoch, written: written, limit: options.maxPageSize)
            {
                for candidate in candidates {
                    if let receipt = try confirmDoubleSubmission(of: lead, by: candidate, db) { return receipt }
                }
                return nil
            }
        }
        let statement = try db.cachedStatement(
            sql: """
                SELECT k.lead_id, e.seq, e.hash FROM (
                    SELECT lead_id, phone_fingerprint, email_fingerprint FROM lead_key
                    WHERE lead_id >= ?3 AND lead_id < ?6 ORDER BY lead_id DESC LIMIT ?4) k
                JOIN event e ON e.stream = k.lead_id AND e.version = 1
                WHERE (k.phone_fingerprint = ?1 OR k.email_fingerprint = ?2)
                    AND json_extract(e.data, '$.form_id') IS ?5
                    AND json_extract(e.data, '$.spam') IS NULL
                ORDER BY k.lead_id DESC LIMIT 1
                """)
        guard
            let row = try Row.fetchOne(
                statement,
                arguments: [
                    lead.phoneFingerprint, lead.emailFingerprint, LeadID.lowerBound(at: since), options.maxPageSize,
                    lead.event.formID, Self.idUpperBound(until),
                ]),
            let leadID = LeadID(row[0] as String)
        else { return nil }
        return LeadReceipt(leadID: leadID, seq: row[1], hash: row[2], duplicateReason: .doubleSubmission)
    }

    /// The receipt of `candidate` if the log says it is `lead`'s earlier submission: it still has (not erased) the
    /// same phone or email fingerprint, the same form, and is not spam.
    private func confirmDoubleSubmission(of lead: PreparedLead, by candidate: LeadID, _ db: Database) throws
        -> LeadReceipt?
    {
        let statement = try db.cachedStatement(
            sql: """
                SELECT e.seq, e.hash FROM lead_key k
                JOIN event e ON e.stream = k.lead_id AND e.version = 1
                WHERE k.lead_id = ?1 AND (k.phone_fingerprint = ?2 OR k.email_fingerprint = ?3)
                    AND json_extract(e.data, '$.form_id') IS ?4
                    AND json_extract(e.data, '$.spam') IS NULL
                """)
        guard
            let row = try Row.fetchOne(
                statement,
                arguments: [candidate.description, lead.phoneFingerprint, lead.emailFingerprint, lead.event.formID])
        else { return nil }
        return LeadReceipt(leadID: candidate, seq: row[0], hash: row[1], duplicateReason: .doubleSubmission)
    }

    /// The exclusive upper bound, as id text, of ids minted at or before `until`: the first id of the next
    /// millisecond. Without an end, `~`, which sorts after every id (hex digits and `-` are below it).
    public static func idUpperBound(_ until: Timestamp?) -> String {
        until.map { LeadID.lowerBound(at: $0.adding(milliseconds: 1)) } ?? "~"
    }

    /// Seals, encodes and fingerprints `lead` without touching the database; safe to call from any thread.
    public func prepare(_ lead: NewLead) throws(StoreError) -> PreparedLead { try preparer.prepare(lead) }

    /// What `receive` would answer for each lead against the log alone, in one read transaction (see `EventStore`).
    public func duplicates(of leads: [PreparedLead]) throws(StoreError) -> [DuplicateReason?] {
        try read { db in
            try leads.map { lead -> DuplicateReason? in
                if let key = lead.event.idempotencyKey, try Self.receipt(forIdempotencyKey: key, db) != nil {
                    return .idempotencyKey
                }
                if let since = lead.duplicateWindowStart,
                    try doubleSubmission(of: lead, since: since, until: lead.duplicateWindowEnd, db) != nil
                {
                    return .doubleSubmission
                }
                return nil
            }
        }
    }

    /// Leads whose id was minted at or after `since` (their arrival) with a matching phone (E.164) or email, newest
    /// first, at most `limit`: what double-click and import deduplication ask. Matches on keyed fingerprints, never
    /// on plaintext; an erased lead has none left, so it never matches.
    ///
    /// Lead ids are UUIDv7, so "since" is a range of ids: the scan reads only the window's rows, newest first, and
    /// stops after `maxScan` (default: the page size) rows, so a wide window costs a bounded read, not a table scan.
    public func leads(
        matchingPhone phone: String?, email: String?, since: Timestamp, limit: Int = 10, maxScan: Int? = nil
    ) throws(StoreError) -> [LeadID] {
        guard phone != nil || email != nil else { return [] }
        let limit = max(0, min(limit, options.maxPageSize))
        let scan = max(0, min(maxScan ?? options.maxPageSize, options.maxPageSize))
        let floor = LeadID.lowerBound(at: since)
        return try read { db in
            let statement = try db.cachedStatement(
                sql: """
                    SELECT lead_id FROM (
                        SELECT lead_id, phone_fingerprint, email_fingerprint FROM lead_key
                        WHERE lead_id >= ? ORDER BY lead_id DESC LIMIT ?)
                    WHERE phone_fingerprint = ? OR email_fingerprint = ?
                    ORDER BY lead_id DESC LIMIT ?
                    """)
            let ids = try String.fetchAll(
                statement,
                arguments: [floor, scan, phone.map(fingerprinter.phone), email.map(fingerprinter.email), limit])
            return ids.compactMap(LeadID.init)
        }
    }

    /// The submission fingerprint recorded with `leadID`, or nil (none given, or the lead was erased).
    public func submissionFingerprint(of leadID: LeadID) throws(StoreError) -> String? {
        try read { db in
            try String.fetchOne(
                db, sql: "SELECT submission_fingerprint FROM lead_key WHERE lead_id = ?", arguments: [leadID.description])
        }
    }
}
