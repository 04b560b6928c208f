/// How the log file is opened. Every field has a named default; settings override them at start.
public struct EventLogOptions: Sendable {
    /// How long a writer waits for another process's write lock before failing with `busy` (ingest then answers 503).
    /// `LEADLEDGER_BUSY_TIMEOUT_MS`, default 5000.
    public var busyTimeoutMilliseconds: Int = 5000
    /// Largest page any read query returns; larger `limit`s are clamped. `LEADLEDGER_MAX_PAGE_SIZE`, default 10000.
    public var maxPageSize: Int = 10_000
    /// Most events one `append` or `receive` call may write in its transaction. Default 10000.
    public var maxEventsPerAppend: Int = 10_000
    /// How far back, in seconds, live double-submission checks look: ingest's duplicate window
    /// (`LEADLEDGER_DUPLICATE_WINDOW_S`, default 10). Recent contacts are kept in memory for twice that (at least the
    /// window plus 1 s); a check reaching further back scans the log instead.
    public var recentContactSeconds: Int = 10
    /// Most contact fingerprints kept in memory for those checks (two per lead with a phone and an email); past it
    /// the oldest are forgotten, and checks reaching back to them scan the log. About 100 bytes each: `serve`'s peak
    /// RSS rose by 20 MiB with a full ring. `LEADLEDGER_RECENT_CONTACTS_MAX`, default 200000.
    public var recentContactCapacity: Int = 200_000
    /// Most events read back one by one to bring those contacts level with the log (what other processes appended
    /// since this one last wrote); a longer gap reloads them from the recent `lead_key` rows instead, which costs
    /// the same whatever the gap. Default 50000.
    public var recentContactCatchUp: Int = 50_000
    /// Open without writing: no migrations, no `synchronous` check (read-only tools such as `verify` on a copy).
    public var readOnly: Bool = false

    public init() {}
}
