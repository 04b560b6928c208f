import GRDB
import LedgerCore

/// Bounded queries over the `retry_queue` read model: what the reactor, the CLI and the admin API ask of it.
public struct RetryQueue: Sendable {
    public let store: ReadModelStore

    public init(store: ReadModelStore) { self.store = store }

    public func entry(_ leadID: LeadID) throws -> RetryQueueEntry? {
        try store.database.read { db in
            guard try db.tableExists(RetryQueueEntry.databaseTableName) else { return nil }
            return try RetryQueueEntry.fetchOne(db, key: leadID.description)
        }
    }

    /// Leads in `state`, oldest arrival first, at most `limit` (clamped to the log's page size, `LEADLEDGER_MAX_PAGE_SIZE`).
    public func entries(in state: LeadSyncState, limit: Int) throws -> [RetryQueueEntry] {
        let limit = max(0, min(limit, store.maxPageSize))
        return try store.database.read { db in
            guard try db.tableExists(RetryQueueEntry.databaseTableName) else { return [] }
            return try RetryQueueEntry.fetchAll(
                db, sql: "SELECT \(RetryQueueEntry.columns) FROM retry_queue WHERE state = ? ORDER BY received_at LIMIT ?",
                arguments: [state.rawValue, limit])
        }
    }

    /// Leads in `state`, newest arrival first, at most `limit` (clamped like `entries`): the dashboard's dead-letter
    /// list. Walks the `(state, received_at)` index backwards, so it reads `limit` rows however many are dead.
    public func newest(in state: LeadSyncState, limit: Int) throws -> [RetryQueueEntry] {
        let limit = max(0, min(limit, store.maxPageSize))
        return try store.database.read { db in
            guard try db.tableExists(RetryQueueEntry.databaseTableName) else { return [] }
            return try RetryQueueEntry.fetchAll(
                db,
                sql: "SELECT \(RetryQueueEntry.columns) FROM retry_queue WHERE state = ? ORDER BY received_at DESC LIMIT ?",
                arguments: [state.rawValue, limit])
        }
    }

    /// Pending leads whose next attempt is due at `now`, earliest first, at most `limit`.
    public func due(at now: Timestamp, limit: Int) throws -> [RetryQueueEntry] {
        let limit = max(0, min(limit, store.maxPageSize))
        return try store.database.read { db in
            guard try db.tableExists(RetryQueueEntry.databaseTableName) else { return [] }
            return try RetryQueueEntry.fetchAll(
                db,
                sql:
                    "SELECT \(RetryQueueEntry.columns) FROM retry_queue WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?",
                arguments: [now.millisecondsSinceEpoch, limit])
        }
    }
}
