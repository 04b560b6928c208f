import GRDB
import LedgerCore

/// Maintains `note_queue`: one row per delivered lead that has a note, so the reactor finds due and orphaned notes
/// without reading the log.
public struct NoteQueueProjector: Projector {
    static let table = "note_queue"
    public let name = NoteQueueProjector.table
    public let version = 1

    public init() {}

    public func createTables(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE note_queue (
                    lead_id TEXT PRIMARY KEY NOT NULL,
                    state TEXT NOT NULL CHECK (state IN ('pending', 'in_flight', 'added', 'dead')),
                    crm_lead_id INTEGER NOT NULL,
                    attempts INTEGER NOT NULL,
                    next_attempt_at INTEGER,
                    in_flight_attempt_id TEXT,
                    last_error_class TEXT,
                    last_error TEXT,
                    unknown_streak INTEGER NOT NULL,
                    updated_seq INTEGER NOT NULL
                ) STRICT, WITHOUT ROWID;
                CREATE INDEX note_queue_due ON note_queue (state, next_attempt_at);
                """)
    }

    public func dropTables(_ db: Database) throws {
        try db.execute(sql: "DROP TABLE IF EXISTS note_queue")
    }

    /// Each touched row is read once and written once per batch, like the per-lead read models.
    public func apply(_ events: [ProjectedEvent], _ db: Database) throws {
        var rows: [LeadID: NoteQueueEntry] = [:]
        var touched: [LeadID] = []
        for projected in events {
            guard case .note(let leadID, let fact) = projected.fact else { continue }
            if rows[leadID] == nil, let stored = try NoteQueueEntry.fetch(db, leadID: leadID) {
                rows[leadID] = stored
                touched.append(leadID)
            }
            if rows[leadID] == nil {
                guard case .attempted(let attempt, let attemptID, let crmLeadID) = fact else {
                    throw ProjectionError(
                        projector: name, seq: projected.seq, reason: "note outcome before any note attempt for \(leadID)")
                }
                rows[leadID] = NoteQueueEntry(
                    leadID: leadID, attempt: attempt, attemptID: attemptID, crmLeadID: crmLeadID, seq: projected.seq)
                touched.append(leadID)
                continue
            }
            rows[leadID]?.apply(fact, seq: projected.seq)
        }
        for leadID in touched {
            try rows[leadID]?.save(db)
        }
    }
}
