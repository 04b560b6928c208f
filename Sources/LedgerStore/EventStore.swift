import LedgerCore

/// What the rest of the system needs from a ledger, whichever database holds it: the SQLite file (`EventLog`) or a
/// PostgreSQL database (`PostgresEventLog`). Both keep one contract: the same events, the same hash chain, the same
/// receipts for the same leads, the same bounds. Code that takes an `EventStore` works on either; which one it gets is
/// decided once, where a command opens the configured log.
///
/// Every read is bounded by `maxPageSize`; every write is durable when it returns (SQLite: WAL fsynced with
/// `synchronous=FULL`; PostgreSQL: COMMIT returned with `synchronous_commit=on`). Failures are `StoreError`s whose
/// code says what a caller may do (503 for `busy` and `ioError`, 4xx for `invalidEvent`, and so on).
public protocol EventStore: AnyObject, Sendable {
    /// Where the log lives, for messages: a file path, or a PostgreSQL URL without its password.
    var displayLocation: String { get }
    /// The most events one read returns and one append takes.
    var maxPageSize: Int { get }
    var maxEventsPerAppend: Int { get }

    /// How many bytes the log takes where it is stored (the SQLite file; the PostgreSQL database), for health; nil
    /// when that cannot be read.
    func storedBytes() async -> Int64?
    /// The last event's position and hash, or nil for an empty log.
    func head() async throws(StoreError) -> ChainHead?
    /// Events matching `query`, in its order, at most `min(query.limit, maxPageSize)`.
    func events(_ query: EventQuery) async throws(StoreError) -> [RecordedEvent]
    /// The fields read models fold, for a page of events after `afterSeq`, at most `min(limit, maxPageSize)`.
    func facts(afterSeq: Int64, limit: Int) async throws(StoreError) -> [EventFacts]
    /// The hash of the event at `seq`, or nil when the log has no such event: how a projection checks that the log
    /// still holds the event it folded last.
    func hash(atSeq seq: Int64) async throws(StoreError) -> String?
    /// Appends `events` atomically; `LeadReceived` is refused (it goes through `receive`).
    @discardableResult
    func append(_ events: [PendingEvent]) async throws(StoreError) -> [RecordedEvent]
    /// Reads `query` and appends the events `decide` makes of what it read, in one transaction under the append lock,
    /// so no writer comes between the read and the write: a conditional append (a process start with what it
    /// concludes about the run before it; a day's report unless that day has one). `decide` gets the events read and
    /// the time the new ones are recorded at; when it returns none, nothing is written.
    @discardableResult
    func append(
        afterReading query: EventQuery,
        _ decide: @escaping @Sendable ([RecordedEvent], Timestamp) throws(StoreError) -> [PendingEvent]
    ) async throws(StoreError) -> [RecordedEvent]
    /// The group committer ingest hands leads to: batches of `receive`, one transaction each, never more than
    /// `limits` allow.
    func groupCommitter(limits: GroupCommitter.Limits, afterCommit: AfterCommit?) -> any LeadCommitter
    /// Seals, encodes and fingerprints `lead` under this log's contact secret, as `receive` would.
    func prepare(_ lead: NewLead) throws(StoreError) -> PreparedLead
    /// What `receive` would answer for each lead against the log alone (not the other leads of `leads`), writing
    /// nothing and taking no lock: `.idempotencyKey` when its key is in the log, `.doubleSubmission` when an earlier
    /// lead of the log is in its window, nil when it would be written. `ReceiveRehearsal` adds the run's own leads.
    func duplicates(of leads: [PreparedLead]) async throws(StoreError) -> [DuplicateReason?]
    /// Records leads in one transaction, deciding idempotency keys and double submissions under the append lock.
    func receive(_ leads: [NewLead]) async throws(StoreError) -> [LeadReceipt]
    /// Destroys one lead's key and records `LeadErased`.
    func erase(_ leadID: LeadID, reason: String) async throws(StoreError) -> ErasureOutcome
    /// A lead's personal data, opened with its key, or `.erased`.
    func personalData(of lead: LeadReceived) async throws(StoreError) -> PersonalDataLookup
    /// Walks the whole chain in bounded pages: seq, links, hashes, stream versions and every event's schema.
    func verify(progress: (@Sendable (Int64) -> Void)?) async throws(StoreError) -> VerificationReport

    /// The key contact fingerprints are made with: a copy of the log must carry it.
    func contactFingerprintSecret() async throws(StoreError) -> [UInt8]
    /// The `lead_key` rows of `leadIDs` that still exist (an erased lead has none), in no particular order.
    func leadKeys(_ leadIDs: [String]) async throws(StoreError) -> [LeadKeyRow]
    /// Appends events recorded elsewhere exactly as they are, with their key rows, in one transaction: the copy of a
    /// log from another store. The batch must continue this log's chain and every hash must match its event, or
    /// nothing is written. On an empty log, `secret` replaces the contact-fingerprint key made at open; `erasedKeys`
    /// are leads whose key rows the source no longer has, deleted in the same transaction.
    func importVerbatim(
        _ events: [RecordedEvent], leadKeys: [LeadKeyRow], erasedKeys: [String], secret: [UInt8]
    ) async throws(StoreError)

    /// A consistent copy of the log at one instant, written as a new SQLite log file at `destination` (which must not
    /// exist), fsynced, renamed into place, then opened on its own and verified: one format for every backup.
    func backup(to destination: String) async throws(StoreError) -> BackupReport

    /// Releases connections. Call once, when done.
    func close() async
}

extension EventStore {
    /// Every event of one stream (a lead's timeline), oldest first, bounded by `maxPageSize`.
    public func stream(_ stream: String) async throws(StoreError) -> [RecordedEvent] {
        try await events(EventQuery(stream: stream, limit: maxPageSize))
    }

    /// The newest events of `stream` (of `type`, recorded in [`from`, `to`), when given), newest first, at most
    /// `limit`, read in pages of `maxPageSize`: how folds read a small system stream's recent past. Within one stream
    /// each page walks the `(stream, version)` index backwards and stops; no page visits other streams.
    public func newest(
        inStream stream: String, type: EventType? = nil, from: Timestamp? = nil, to: Timestamp? = nil, limit: Int
    ) async throws(StoreError) -> [RecordedEvent] {
        var found: [RecordedEvent] = []
        var before: Int64?
        while found.count < limit {
            let want = min(limit - found.count, maxPageSize)
            let page = try await events(
                EventQuery(
                    beforeSeq: before, stream: stream, type: type, from: from, to: to, limit: want, order: .newestFirst))
            found += page
            guard page.count == want, let last = page.last else { break }
            before = last.seq
        }
        return found
    }
}
