/// How a PostgreSQL ledger is reached and bounded. Every field has a named default; settings override them at start.
public struct PostgresLogOptions: Sendable {
    /// Most connections the process holds (`LEADLEDGER_DB_POOL_SIZE`, default 10). A request that finds them all busy
    /// waits at most `operationTimeoutMilliseconds`.
    public var poolSize: Int = 10
    /// The server cancels any statement running longer (`LEADLEDGER_DB_STATEMENT_TIMEOUT_MS`, default 5000): a stuck
    /// query fails loudly instead of holding a request, a connection and the append lock.
    public var statementTimeoutMilliseconds: Int = 5000
    /// How long a new connection may take, TLS and authentication included. Default 5000.
    public var connectTimeoutMilliseconds: Int = 5000
    /// The wait for a free connection, and again the wait for a started operation to end
    /// (`LEADLEDGER_DB_OPERATION_TIMEOUT_MS`, default 10000): a server that is down or a pool that is exhausted
    /// answers 503 within it, and no operation holds a request longer than twice this. The pool itself would wait for
    /// a connection for ever, and a query on a connection the server dropped can wait for ever too.
    public var operationTimeoutMilliseconds: Int = 10_000
    /// Largest page any read returns; larger limits are clamped. Default 10000, as for SQLite.
    public var maxPageSize: Int = 10_000
    /// Most events one append may write in its transaction. Default 10000, as for SQLite.
    public var maxEventsPerAppend: Int = 10_000
    /// Whether opening a database without the ledger's tables creates them (`serve`, `react`, `migrate --to`), or
    /// refuses it (the auditor's commands: a mistyped database name must fail, not show an empty ledger).
    public var createIfMissing = true

    public init() {}
}
