import Foundation
import GRDB
import LedgerCore

/// What `erase` did.
public struct ErasureOutcome: Sendable, Equatable {
    public var leadID: LeadID
    /// The `LeadErased` event, or the earlier one if the lead was already erased.
    public var event: RecordedEvent
    public var alreadyErased: Bool
    /// Where copies of the destroyed key row may still be, outside any reader's reach.
    public var residue: ErasureResidue

    public init(leadID: LeadID, event: RecordedEvent, alreadyErased: Bool, residue: ErasureResidue) {
        self.leadID = leadID
        self.event = event
        self.alreadyErased = alreadyErased
        self.residue = residue
    }
}

/// Copies of an erased lead's key row that the database's own files may still hold. No reader can reach them; they
/// matter to someone who copies the files.
public enum ErasureResidue: Sendable, Equatable {
    /// None: SQLite's write-ahead log was checkpointed and truncated after the delete.
    case none
    /// SQLite readers kept an old snapshot for the whole second `erase` waited, so the WAL still holds the row's old
    /// page image until a truncating checkpoint succeeds (running `erase` again does one).
    case sqliteWriteAheadLog
    /// PostgreSQL keeps the deleted row version until VACUUM reuses its space, the insert in its WAL until the
    /// segment is recycled, and both in base backups and archives until they expire: the server's rules, not the
    /// ledger's.
    case postgresStorage
}

extension EventLog {
    /// Destroys one lead's personal data: deletes its `lead_key` row (key and contact fingerprints, zeroed in place by
    /// `secure_delete`) and records `LeadErased` in the same transaction, then checkpoints and truncates the WAL so no
    /// earlier page image of the row survives there (`residue` says when that did not succeed). The chain is untouched:
    /// the sealed payload stays, unreadable.
    public func erase(_ leadID: LeadID, reason: String) throws(StoreError) -> ErasureOutcome {
        let event = LedgerEvent.leadErased(LeadErased(leadID: leadID, reason: reason))
        let data = try Self.encode(event)
        let now = clock.now()
        let (recorded, already) = try writeImmediate { db -> (RecordedEvent, Bool) in
            let first = try String.fetchOne(
                db, sql: "SELECT type FROM event WHERE stream = ? AND version = 1", arguments: [leadID.description])
            guard first == EventType.leadReceived.rawValue else {
                throw StoreError(.notFound, "no lead \(leadID) in the log")
            }
            let earlier = try RecordedEvent.fetchAll(
                db, sql: "SELECT \(RecordedEvent.columns) FROM event WHERE stream = ? AND type = 'LeadErased' LIMIT 1",
                arguments: [leadID.description])
            if let earlier = earlier.first { return (earlier, true) }
            try db.execute(sql: "DELETE FROM lead_key WHERE lead_id = ?", arguments: [leadID.description])
            var writer = try ChainWriter(db, recordedAt: now)
            let recorded = try writer.append(
                stream: event.stream, type: .leadErased, schemaVersion: LeadErased.schemaVersion, data: data, expected: .any)
            return (recorded, false)
        }
        // A reader holding an old snapshot blocks truncation; readers are short, so retry briefly (bounded).
        var truncated = false
        for attempt in 0..<Self.truncateAttempts where !truncated {
            if attempt > 0 { usleep(Self.truncateRetryMicroseconds) }
            truncated = (try? checkpointTruncate()) ?? false
        }
        return ErasureOutcome(
            leadID: leadID, event: recorded, alreadyErased: already, residue: truncated ? .none : .sqliteWriteAheadLog)
    }

    /// How often `erase` tries to truncate the WAL, and the pause between tries (10 × 100 ms).
    static let truncateAttempts = 10
    static let truncateRetryMicroseconds: UInt32 = 100_000

    /// `PRAGMA wal_checkpoint(TRUNCATE)`; true when every frame was copied back and the WAL emptied.
    @discardableResult
    public func checkpointTruncate() throws(StoreError) -> Bool {
        do {
            return try database.writeWithoutTransaction { db in
                guard let row = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)") else { return false }
                return (row[0] as Int) == 0
            }
        } catch {
            throw StoreError.wrap(error, path: path)
        }
    }

    /// A lead's personal data, opened with its key; `.erased` once the key is gone.
    public func personalData(of lead: LeadReceived) throws(StoreError) -> PersonalDataLookup {
        let key = try read { db in
            try Data.fetchOne(db, sql: "SELECT key FROM lead_key WHERE lead_id = ?", arguments: [lead.leadID.description])
        }
        guard let key else { return .erased }
        do {
            return .available(try PersonalDataSealer.open(lead.personal, leadID: lead.leadID, key: Array(key)))
        } catch {
            throw StoreError(.corrupt, "\(error)", path: path)
        }
    }
}
