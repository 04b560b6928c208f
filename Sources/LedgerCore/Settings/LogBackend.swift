/// Which database holds the ledger, as `LEADLEDGER_DB` says: a file path is a SQLite log, a `postgres://` or
/// `postgresql://` URL a PostgreSQL database.
public enum LogBackend: String, Sendable {
    case sqlite
    case postgres

    public init(databaseSetting: String) {
        let lowered = databaseSetting.lowercased()
        self = lowered.hasPrefix("postgres://") || lowered.hasPrefix("postgresql://") ? .postgres : .sqlite
    }
}
