import LedgerCore
import LedgerPostgres

extension PostgresLogOptions {
    /// The `LEADLEDGER_DB_*` and page settings, the one mapping every command uses.
    init(_ settings: LedgerSettings) {
        self.init()
        poolSize = settings.postgres.poolSize
        statementTimeoutMilliseconds = settings.postgres.statementTimeoutMilliseconds
        operationTimeoutMilliseconds = settings.postgres.operationTimeoutMilliseconds
        maxPageSize = settings.maxPageSize
    }
}
