import LedgerStore
import PostgresNIO

extension PostgresEventLog: EventStore {
    /// The URL without its password.
    public var displayLocation: String { location.description }
    public var maxPageSize: Int { options.maxPageSize }
    public var maxEventsPerAppend: Int { options.maxEventsPerAppend }

    public func groupCommitter(limits: GroupCommitter.Limits, afterCommit: AfterCommit?) -> any LeadCommitter {
        PostgresGroupCommitter(log: self, limits: limits, afterCommit: afterCommit)
    }

    /// `pg_database_size` of the ledger's database.
    public func storedBytes() async -> Int64? {
        let logger = logger
        return try? await withConnection { connection in
            for try await size in try await connection.query(
                "SELECT pg_database_size(current_database())", logger: logger
            ).decode(Int64.self) {
                return size
            }
            return nil
        }
    }

    /// Written as a SQLite log file, so one format serves every backup (`EventLog.backup(of:to:)`).
    public func backup(to destination: String) async throws(StoreError) -> BackupReport {
        try await EventLog.backup(of: self, to: destination)
    }
}
