import LedgerCore
import LedgerStore
import PostgresNIO

extension PostgresEventLog {
    /// Seals, encodes and fingerprints `lead` under this database's contact secret; safe to call from any thread.
    public func prepare(_ lead: NewLead) throws(StoreError) -> PreparedLead { try preparer.prepare(lead) }

    /// Records leads, one receipt per lead in the same order, all in one transaction: the SQLite log's `receive`,
    /// with the same decisions and the same bytes.
    public func receive(_ leads: [NewLead]) async throws(StoreError) -> [LeadReceipt] {
        try checkBatchSize(leads.count)
        var prepared: [PreparedLead] = []
        prepared.reserveCapacity(leads.count)
        for lead in leads { prepared.append(try prepare(lead)) }
        return try await receive(prepared: prepared)
    }

    /// Records prepared leads in one transaction and returns after COMMIT returned.
    ///
    /// A lead whose idempotency key is already in the log, or earlier in the batch, is answered with the original
    /// receipt; a lead with the same phone or email and form as a non-spam lead in its window is answered with that
    /// lead's receipt (a double submission); every other lead is written with its key row. The database decides,
    /// under the append lock, so two processes on one database cannot both accept the same double click. The whole
    /// batch costs a fixed number of round trips: the lock with the head, one read for its keys (when it has any), one
    /// for its contacts' candidates (when it has windows), one insert for both tables and the head, COMMIT.
    public func receive(prepared: [PreparedLead]) async throws(StoreError) -> [LeadReceipt] {
        guard !prepared.isEmpty else { return [] }
        try checkBatchSize(prepared.count)
        let now = clock.now()
        let logger = logger
        let scanLimit = options.maxPageSize
        return try await transaction { connection in
            var head = try await Self.lockHead(connection, logger)
            let idempotencyKeys = prepared.compactMap(\.event.idempotencyKey)
            var byKey = try await Self.receipts(forIdempotencyKeys: idempotencyKeys, connection, logger)
            var candidates = try await DoubleSubmissionCandidates.read(
                for: prepared, limit: scanLimit, connection, logger)
            var receipts: [LeadReceipt] = []
            var written: [(lead: PreparedLead, event: RecordedEvent)] = []
            receipts.reserveCapacity(prepared.count)
            for lead in prepared {
                if let key = lead.event.idempotencyKey, let original = byKey[key] {
                    receipts.append(original)
                    continue
                }
                if let earlier = try await candidates.earlier(than: lead, connection, logger) {
                    receipts.append(earlier)
                    continue
                }
                // A lead id is minted by ingest and never reused; were it already in the log, the unique
                // (stream, version) index would refuse the batch, as SQLite's expected-version check does.
                let event = try ChainLink.next(
                    after: head, stream: lead.event.stream, currentVersion: 0,
                    type: .leadReceived, schemaVersion: LeadReceived.schemaVersion, data: lead.data,
                    expected: .noStream, recordedAt: now)
                head = ChainHead(seq: event.seq, hash: event.hash)
                let receipt = LeadReceipt(leadID: lead.event.leadID, seq: event.seq, hash: event.hash)
                if let key = lead.event.idempotencyKey {
                    byKey[key] = LeadReceipt(
                        leadID: receipt.leadID, seq: receipt.seq, hash: receipt.hash, duplicateReason: .idempotencyKey)
                }
                candidates.written(lead, receipt)
                written.append((lead, event))
                receipts.append(receipt)
            }
            guard !written.isEmpty else { return receipts }
            let keys = written.map { item in
                LeadKeyRow(
                    leadID: item.lead.event.leadID.description, key: item.lead.key,
                    phoneFingerprint: item.lead.phoneFingerprint, emailFingerprint: item.lead.emailFingerprint,
                    submissionFingerprint: item.lead.submissionFingerprint)
            }
            try await Self.insert(written.map(\.event), keys: keys, connection, logger)
            return receipts
        }
    }

    /// What `receive` would answer for each lead against the log alone, on one connection, without the append lock
    /// (see `EventStore`): the same key lookup and the same window candidates as `receive`.
    public func duplicates(of leads: [PreparedLead]) async throws(StoreError) -> [DuplicateReason?] {
        guard !leads.isEmpty else { return [] }
        try checkBatchSize(leads.count)
        let logger = logger
        let scanLimit = options.maxPageSize
        return try await withConnection { connection in
            let byKey = try await Self.receipts(
                forIdempotencyKeys: leads.compactMap(\.event.idempotencyKey), connection, logger)
            let candidates = try await DoubleSubmissionCandidates.read(for: leads, limit: scanLimit, connection, logger)
            var answers: [DuplicateReason?] = []
            for lead in leads {
                if let key = lead.event.idempotencyKey, byKey[key] != nil {
                    answers.append(.idempotencyKey)
                } else if try await candidates.earlier(than: lead, connection, logger) != nil {
                    answers.append(.doubleSubmission)
                } else {
                    answers.append(nil)
                }
            }
            return answers
        }
    }

    /// Records one lead.
    public func receive(_ lead: NewLead) async throws(StoreError) -> LeadReceipt {
        guard let receipt = try await receive([lead]).first else { throw StoreError(.other, "receive wrote nothing") }
        return receipt
    }

    /// The original receipt for an idempotency key, or nil if the key was never used.
    public func receipt(forIdempotencyKey key: String) async throws(StoreError) -> LeadReceipt? {
        let logger = logger
        return try await withConnection { connection in
            try await Self.receipts(forIdempotencyKeys: [key], connection, logger)[key]
        }
    }

    /// The original receipts of the keys already in the log (an index lookup: the expression and the predicate are
    /// those of the unique partial index).
    static func receipts(forIdempotencyKeys keys: [String], _ connection: PostgresConnection, _ logger: Logger)
        async throws -> [String: LeadReceipt]
    {
        guard !keys.isEmpty else { return [:] }
        let rows = try await connection.query(
            """
            SELECT (data::jsonb) ->> 'idempotency_key', stream, seq, hash FROM event
            WHERE type = 'LeadReceived' AND (data::jsonb) ->> 'idempotency_key' IS NOT NULL
                AND (data::jsonb) ->> 'idempotency_key' = ANY(\(Array(Set(keys))))
            """, logger: logger)
        var receipts: [String: LeadReceipt] = [:]
        for try await (key, stream, seq, hash) in rows.decode((String, String, Int64, String).self) {
            guard let leadID = LeadID(stream) else {
                throw StoreError(.corrupt, "LeadReceived at seq \(seq) has a stream that is not a lead id")
            }
            receipts[key] = LeadReceipt(leadID: leadID, seq: seq, hash: hash, duplicateReason: .idempotencyKey)
        }
        return receipts
    }

    private func checkBatchSize(_ count: Int) throws(StoreError) {
        guard count <= options.maxEventsPerAppend else {
            throw StoreError(.invalidEvent, "\(count) leads in one call; the limit is \(options.maxEventsPerAppend)")
        }
    }
}
