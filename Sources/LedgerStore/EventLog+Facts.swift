import GRDB
import LedgerCore

extension EventLog {
    /// One page of facts after `afterSeq`, at most `min(limit, maxPageSize)`, read and extracted in one statement on a
    /// reader of GRDB's own (the caller's thread is not held). Each `CASE` extracts a field only for the types that
    /// carry it.
    public func facts(afterSeq: Int64, limit: Int) async throws(StoreError) -> [EventFacts] {
        let limit = max(0, min(limit, options.maxPageSize))
        do {
            return try await database.read { db in try Self.facts(db, afterSeq: afterSeq, limit: limit) }
        } catch {
            throw StoreError.wrap(error, path: path)
        }
    }

    /// The hash of the event at `seq`, or nil when the log has no such event.
    public func hash(atSeq seq: Int64) async throws(StoreError) -> String? {
        do {
            return try await database.read { db in
                try String.fetchOne(db.cachedStatement(sql: "SELECT hash FROM event WHERE seq = ?"), arguments: [seq])
            }
        } catch {
            throw StoreError.wrap(error, path: path)
        }
    }

    static func facts(_ db: Database, afterSeq: Int64, limit: Int) throws -> [EventFacts] {
        let statement = try db.cachedStatement(
            sql: """
                SELECT seq, stream, type, schema_version, recorded_at,
                    CASE type WHEN 'LeadReceived' THEN json_extract(data, '$.received_at') END,
                    CASE type WHEN 'LeadReceived' THEN json_extract(data, '$.origin') END,
                    CASE type WHEN 'LeadReceived' THEN json_extract(data, '$.utm.source') END,
                    CASE type WHEN 'LeadReceived' THEN json_extract(data, '$.utm.campaign') END,
                    CASE WHEN type IN ('SyncAttempted', 'SyncFailed', 'SyncSucceeded', 'NoteAttempted') THEN json_extract(data, '$.attempt') END,
                    CASE WHEN type IN ('SyncAttempted', 'SyncFailed', 'SyncSucceeded', 'NoteAttempted') THEN json_extract(data, '$.attempt_id') END,
                    CASE WHEN type IN ('SyncFailed', 'NoteFailed') THEN json_extract(data, '$.error_class') END,
                    CASE type WHEN 'SyncFailed' THEN json_extract(data, '$.http_status') END,
                    CASE WHEN type IN ('SyncFailed', 'NoteFailed') THEN json_extract(data, '$.message') END,
                    CASE WHEN type IN ('SyncFailed', 'NoteFailed') THEN json_extract(data, '$.retryable') END,
                    CASE WHEN type IN ('SyncFailed', 'NoteFailed') THEN json_extract(data, '$.next_attempt_at') END,
                    CASE WHEN type IN ('SyncSucceeded', 'NoteAttempted') THEN json_extract(data, '$.crm_lead_id') END,
                    CASE type WHEN 'SyncSucceeded' THEN json_extract(data, '$.crm_contact_id') END,
                    CASE type WHEN 'AlertRaised' THEN json_extract(data, '$.severity') END,
                    CASE type WHEN 'LeadReceived' THEN json_extract(data, '$.spam') IS NOT NULL END
                FROM event WHERE seq > ? ORDER BY seq LIMIT ?
                """)
        var page: [EventFacts] = []
        page.reserveCapacity(min(limit, 100_000))
        let cursor = try Row.fetchCursor(statement, arguments: [afterSeq, limit])
        while let row = try cursor.next() {
            var facts = EventFacts(
                seq: row[0], stream: row[1], type: row[2], schemaVersion: row[3],
                recordedAt: Timestamp(millisecondsSinceEpoch: row[4]))
            facts.receivedAt = row[5]
            facts.origin = row[6]
            facts.utmSource = row[7]
            facts.utmCampaign = row[8]
            facts.attempt = row[9]
            facts.attemptID = row[10]
            facts.errorClass = row[11]
            facts.httpStatus = row[12]
            facts.message = row[13]
            facts.retryable = row[14]
            facts.nextAttemptAt = row[15]
            facts.crmLeadID = row[16]
            facts.crmContactID = row[17]
            facts.severity = row[18]
            facts.spam = row[19] as Bool? ?? false
            page.append(facts)
        }
        return page
    }
}
