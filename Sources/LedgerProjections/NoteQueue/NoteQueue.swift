import GRDB
import LedgerCore

/// Bounded queries over the `note_queue` read model.
public struct NoteQueue: Sendable {
    public let store: ReadModelStore

    public init(store: ReadModelStore) { self.store = store }

    public func entry(_ leadID: LeadID) throws -> NoteQueueEntry? {
        try store.database.read { db in
            guard try db.tableExists(NoteQueueProjector.table) else { return nil }
            return try NoteQueueEntry.fetch(db, leadID: leadID)
        }
    }

    /// Notes in `state`, at most `limit` (clamped to the page size).
    public func entries(in state: NoteState, limit: Int) throws -> [NoteQueueEntry] {
        try fetch("WHERE state = ? ORDER BY updated_seq LIMIT ?", [state.rawValue, clamped(limit)])
    }

    /// Pending notes due at `now`, earliest first, at most `limit`.
    public func due(at now: Timestamp, limit: Int) throws -> [NoteQueueEntry] {
        try fetch(
            "WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?",
            [now.millisecondsSinceEpoch, clamped(limit)])
    }

    private func clamped(_ limit: Int) -> Int { max(0, min(limit, store.maxPageSize)) }

    private func fetch(_ clause: String, _ arguments: StatementArguments) throws -> [NoteQueueEntry] {
        try store.database.read { db in
            guard try db.tableExists(NoteQueueProjector.table) else { return [] }
            return try Row.fetchAll(db, sql: "SELECT \(NoteQueueEntry.columns) FROM note_queue \(clause)", arguments: arguments)
                .map(NoteQueueEntry.init(row:))
        }
    }
}
