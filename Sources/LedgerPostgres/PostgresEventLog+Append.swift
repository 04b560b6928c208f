import LedgerCore
import LedgerStore
import PostgresNIO

extension PostgresEventLog {
    /// Appends `events` atomically: all of them commit in one transaction, in order, or none does. Returns after
    /// COMMIT returned; any failure throws, and the caller answers 5xx.
    ///
    /// The transaction first locks the chain head (`PostgresSchema.lockHeadQuery`), then reads the streams'
    /// versions, so `seq` has no gaps and the chain cannot fork; the events go in as one multi-row INSERT.
    /// `LeadReceived` is refused, as on SQLite: it must go through `receive`.
    @discardableResult
    public func append(_ events: [PendingEvent]) async throws(StoreError) -> [RecordedEvent] {
        guard !events.isEmpty else { return [] }
        guard events.count <= options.maxEventsPerAppend else {
            throw StoreError(.invalidEvent, "\(events.count) events in one append; the limit is \(options.maxEventsPerAppend)")
        }
        var encoded: [(event: LedgerEvent, expected: ExpectedVersion, data: String)] = []
        encoded.reserveCapacity(events.count)
        for pending in events {
            encoded.append((pending.event, pending.expected, try pending.encodedForAppend()))
        }
        let now = clock.now()
        let logger = logger
        let batch = encoded
        return try await transaction { connection in
            try await Self.chain(batch, after: try await Self.lockHead(connection, logger), recordedAt: now, connection, logger)
        }
    }

    /// Reads `query` and appends what `decide` makes of it, in one transaction that holds the chain-head lock from
    /// before the read until COMMIT (see `EventStore`).
    @discardableResult
    public func append(
        afterReading query: EventQuery,
        _ decide: @escaping @Sendable ([RecordedEvent], Timestamp) throws(StoreError) -> [PendingEvent]
    ) async throws(StoreError) -> [RecordedEvent] {
        let statement = Self.selection(query, maxPageSize: options.maxPageSize)
        let now = clock.now()
        let logger = logger
        let maxEvents = options.maxEventsPerAppend
        return try await transaction { connection in
            let head = try await Self.lockHead(connection, logger)
            let pending = try decide(try await Self.decode(try await connection.query(statement, logger: logger)), now)
            guard pending.count <= maxEvents else {
                throw StoreError(.invalidEvent, "\(pending.count) events in one append; the limit is \(maxEvents)")
            }
            var batch: [(event: LedgerEvent, expected: ExpectedVersion, data: String)] = []
            for item in pending { batch.append((item.event, item.expected, try item.encodedForAppend())) }
            return try await Self.chain(batch, after: head, recordedAt: now, connection, logger)
        }
    }

    /// Links `batch` onto the chain after `head` and inserts it, in the caller's transaction, which holds the
    /// chain-head lock (`lockHead`) so `head` cannot move; reads the streams' versions first.
    static func chain(
        _ batch: [(event: LedgerEvent, expected: ExpectedVersion, data: String)], after head: ChainHead?,
        recordedAt now: Timestamp, _ connection: PostgresConnection, _ logger: Logger
    ) async throws -> [RecordedEvent] {
        guard !batch.isEmpty else { return [] }
        var head = head
        var versions = try await versions(of: Array(Set(batch.map(\.event.stream))), connection, logger)
        var recorded: [RecordedEvent] = []
        recorded.reserveCapacity(batch.count)
        for item in batch {
            let event = try ChainLink.next(
                after: head, stream: item.event.stream, currentVersion: versions[item.event.stream] ?? 0,
                type: item.event.type, schemaVersion: item.event.schemaVersion, data: item.data,
                expected: item.expected, recordedAt: now)
            recorded.append(event)
            head = ChainHead(seq: event.seq, hash: event.hash)
            versions[event.stream] = event.version
        }
        try await insert(recorded, connection, logger)
        return recorded
    }

    /// The last version of each stream in `streams` (absent: no event yet).
    static func versions(of streams: [String], _ connection: PostgresConnection, _ logger: Logger) async throws
        -> [String: Int64]
    {
        var versions: [String: Int64] = [:]
        let rows = try await connection.query(
            "SELECT stream, max(version) FROM event WHERE stream = ANY(\(streams)) GROUP BY stream", logger: logger)
        for try await (stream, version) in rows.decode((String, Int64).self) {
            versions[stream] = version
        }
        return versions
    }

    /// The events, the key rows of the leads among them and the chain head's new place, in one statement (arrays
    /// unnested server-side, the key rows and the head in data-modifying CTEs): one round trip, whatever the batch
    /// size. The caller holds the chain-head lock. A missing fingerprint travels as an empty string and is stored as
    /// NULL: a real one is never empty.
    static func insert(
        _ events: [RecordedEvent], keys: [LeadKeyRow] = [], _ connection: PostgresConnection, _ logger: Logger
    ) async throws {
        let leads = keys.map(\.leadID)
        let secrets = keys.map { ByteBuffer(bytes: $0.key) }
        let phones = keys.map { $0.phoneFingerprint ?? "" }
        let emails = keys.map { $0.emailFingerprint ?? "" }
        let submissions = keys.map { $0.submissionFingerprint ?? "" }
        let seqs = events.map(\.seq)
        let streams = events.map(\.stream)
        let versions = events.map(\.version)
        let types = events.map(\.type)
        let schemaVersions = events.map { Int32($0.schemaVersion) }
        let data = events.map(\.data)
        let recordedAt = events.map(\.recordedAt.millisecondsSinceEpoch)
        let prevHashes = events.map(\.prevHash)
        let hashes = events.map(\.hash)
        guard let last = events.last else { return }
        try await connection.execute(
            """
            WITH head AS (
                UPDATE chain_head SET seq = \(last.seq), hash = \(last.hash)
            ), keys AS (
                INSERT INTO lead_key (lead_id, key, phone_fingerprint, email_fingerprint, submission_fingerprint)
                SELECT lead, key, NULLIF(phone, ''), NULLIF(email, ''), NULLIF(submission, '')
                FROM unnest(\(leads)::text[], \(secrets)::bytea[], \(phones)::text[], \(emails)::text[],
                            \(submissions)::text[]) AS row(lead, key, phone, email, submission)
            )
            INSERT INTO event (seq, stream, version, type, schema_version, data, recorded_at, prev_hash, hash)
            SELECT * FROM unnest(\(seqs)::bigint[], \(streams)::text[], \(versions)::bigint[], \(types)::text[],
                                 \(schemaVersions)::int[], \(data)::text[], \(recordedAt)::bigint[],
                                 \(prevHashes)::text[], \(hashes)::text[])
            """, logger: logger)
    }
}
