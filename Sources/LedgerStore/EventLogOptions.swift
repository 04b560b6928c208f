/// How the log file is opened. Every field has a named default; settings override them at start.
public struct EventLogOptions: Sendable {
    /// How long a writer waits for another process's write lock before failing with `busy` (ingest then answers 503).
    /// `LEADLEDGER_BUSY_TIMEOUT_MS`, default 5000.
    public var busyTimeoutMilliseconds: Int = 5000
    /// Largest page any read query returns; larger `limit`s are clamped. `LEADLEDGER_MAX_PAGE_SIZE`, default 10000.
    public var maxPageSize: Int = 10_000
    /// Most events one `append` or `receive` call may write in its transaction. Default 10000.
    public var maxEventsPerAppend: Int = 10_000
    /// Open without writing: no migrations, no `synchronous` check (read-only tools such as `verify` on a copy).
    public var readOnly: Bool = false

    public init() {}
}
