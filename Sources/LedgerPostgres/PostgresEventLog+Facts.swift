import LedgerCore
import LedgerStore
import PostgresNIO

extension PostgresEventLog {
    /// One page of facts after `afterSeq`, at most `min(limit, maxPageSize)`: the same extraction as the SQLite log's,
    /// by PostgreSQL's JSON operators (`->>` answers SQL NULL for an absent field or a JSON null, as `json_extract`
    /// does).
    public func facts(afterSeq: Int64, limit: Int) async throws(StoreError) -> [EventFacts] {
        let limit = Int64(max(0, min(limit, options.maxPageSize)))
        let logger = logger
        return try await withConnection { connection in
            let rows = try await connection.query(
                """
                SELECT seq, stream, type, schema_version, recorded_at,
                    CASE type WHEN 'LeadReceived' THEN (j->>'received_at')::bigint END,
                    CASE type WHEN 'LeadReceived' THEN j->>'origin' END,
                    CASE type WHEN 'LeadReceived' THEN j->'utm'->>'source' END,
                    CASE type WHEN 'LeadReceived' THEN j->'utm'->>'campaign' END,
                    CASE WHEN type IN ('SyncAttempted', 'SyncFailed', 'SyncSucceeded', 'NoteAttempted') THEN (j->>'attempt')::bigint END,
                    CASE WHEN type IN ('SyncAttempted', 'SyncFailed', 'SyncSucceeded', 'NoteAttempted') THEN j->>'attempt_id' END,
                    CASE WHEN type IN ('SyncFailed', 'NoteFailed') THEN j->>'error_class' END,
                    CASE type WHEN 'SyncFailed' THEN (j->>'http_status')::bigint END,
                    CASE WHEN type IN ('SyncFailed', 'NoteFailed') THEN j->>'message' END,
                    CASE WHEN type IN ('SyncFailed', 'NoteFailed') THEN (j->>'retryable')::boolean END,
                    CASE WHEN type IN ('SyncFailed', 'NoteFailed') THEN (j->>'next_attempt_at')::bigint END,
                    CASE WHEN type IN ('SyncSucceeded', 'NoteAttempted') THEN (j->>'crm_lead_id')::bigint END,
                    CASE type WHEN 'SyncSucceeded' THEN (j->>'crm_contact_id')::bigint END,
                    CASE type WHEN 'AlertRaised' THEN j->>'severity' END,
                    type = 'LeadReceived' AND j->>'spam' IS NOT NULL
                FROM event, LATERAL (SELECT data::jsonb AS j) AS body
                WHERE seq > \(afterSeq) ORDER BY seq LIMIT \(limit)
                """, logger: logger)
            var page: [EventFacts] = []
            for try await row in rows {
                let cells = row.makeRandomAccess()
                var facts = EventFacts(
                    seq: try cells[0].decode(Int64.self), stream: try cells[1].decode(String.self),
                    type: try cells[2].decode(String.self), schemaVersion: Int(try cells[3].decode(Int32.self)),
                    recordedAt: Timestamp(millisecondsSinceEpoch: try cells[4].decode(Int64.self)))
                facts.receivedAt = try cells[5].decode(Int64?.self)
                facts.origin = try cells[6].decode(String?.self)
                facts.utmSource = try cells[7].decode(String?.self)
                facts.utmCampaign = try cells[8].decode(String?.self)
                facts.attempt = try cells[9].decode(Int64?.self).map(Int.init)
                facts.attemptID = try cells[10].decode(String?.self)
                facts.errorClass = try cells[11].decode(String?.self)
                facts.httpStatus = try cells[12].decode(Int64?.self).map(Int.init)
                facts.message = try cells[13].decode(String?.self)
                facts.retryable = try cells[14].decode(Bool?.self)
                facts.nextAttemptAt = try cells[15].decode(Int64?.self)
                facts.crmLeadID = try cells[16].decode(Int64?.self)
                facts.crmContactID = try cells[17].decode(Int64?.self)
                facts.severity = try cells[18].decode(String?.self)
                facts.spam = try cells[19].decode(Bool.self)
                page.append(facts)
            }
            return page
        }
    }

    /// The hash of the event at `seq`, or nil when the log has no such event.
    public func hash(atSeq seq: Int64) async throws(StoreError) -> String? {
        let logger = logger
        return try await withConnection { connection in
            for try await hash in try await connection.query("SELECT hash FROM event WHERE seq = \(seq)", logger: logger)
                .decode(String.self)
            {
                return hash
            }
            return nil
        }
    }
}
