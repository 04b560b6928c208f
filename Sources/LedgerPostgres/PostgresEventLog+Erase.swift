import LedgerCore
import LedgerStore
import PostgresNIO

extension PostgresEventLog {
    /// Destroys one lead's personal data: deletes its `lead_key` row (key and contact fingerprints) and records
    /// `LeadErased` in the same transaction, under the chain-head lock. The chain is untouched: the sealed payload
    /// stays, unreadable. What PostgreSQL's own files keep of the row afterwards is its business (`residue`).
    public func erase(_ leadID: LeadID, reason: String) async throws(StoreError) -> ErasureOutcome {
        let event = LedgerEvent.leadErased(LeadErased(leadID: leadID, reason: reason))
        let data = try PendingEvent(event).encodedForAppend()
        let now = clock.now()
        let logger = logger
        let stream = leadID.description
        let (recorded, already) = try await transaction { connection -> (RecordedEvent, Bool) in
            let head = try await Self.lockHead(connection, logger)
            let existing = try await Self.decode(
                try await connection.query(
                    """
                    SELECT \(unescaped: Self.columns) FROM event
                    WHERE stream = \(stream) AND (version = 1 OR type = 'LeadErased') ORDER BY seq
                    """, logger: logger))
            guard existing.first?.version == 1, existing.first?.type == EventType.leadReceived.rawValue else {
                throw StoreError(.notFound, "no lead \(leadID) in the log")
            }
            if let earlier = existing.first(where: { $0.type == EventType.leadErased.rawValue }) { return (earlier, true) }
            try await connection.execute("DELETE FROM lead_key WHERE lead_id = \(stream)", logger: logger)
            let versions = try await Self.versions(of: [stream], connection, logger)
            let recorded = try ChainLink.next(
                after: head, stream: stream, currentVersion: versions[stream] ?? 0, type: .leadErased,
                schemaVersion: LeadErased.schemaVersion, data: data, expected: .any, recordedAt: now)
            try await Self.insert([recorded], connection, logger)
            return (recorded, false)
        }
        return ErasureOutcome(leadID: leadID, event: recorded, alreadyErased: already, residue: .postgresStorage)
    }

    /// A lead's personal data, opened with its key; `.erased` once the key is gone.
    public func personalData(of lead: LeadReceived) async throws(StoreError) -> PersonalDataLookup {
        let logger = logger
        let leadID = lead.leadID.description
        let key = try await withConnection { connection in
            try await connection.bytes("SELECT key FROM lead_key WHERE lead_id = \(leadID)", logger: logger)
        }
        guard let key else { return .erased }
        do {
            return .available(try PersonalDataSealer.open(lead.personal, leadID: lead.leadID, key: key))
        } catch {
            throw StoreError(.corrupt, "\(error)", path: location.description)
        }
    }
}
