import LedgerStore

extension PostgresEventLog: EventStore {
    /// The URL without its password.
    public var displayLocation: String { location.description }
    public var maxPageSize: Int { options.maxPageSize }
    public var maxEventsPerAppend: Int { options.maxEventsPerAppend }

    /// Written as a SQLite log file, so one format serves every backup (`EventLog.backup(of:to:)`).
    public func backup(to destination: String) async throws(StoreError) -> BackupReport {
        try await EventLog.backup(of: self, to: destination)
    }
}
