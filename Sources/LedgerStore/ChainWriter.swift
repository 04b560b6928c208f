import GRDB
import LedgerCore

/// Extends the chain inside one write transaction. Holds the head and the stream versions it has seen, so a batch
/// pays one head lookup, and checks each insert against what it expected (TigerStyle's paired assertion: the seq and
/// prev_hash we computed are the ones SQLite stored).
struct ChainWriter {
    private let db: Database
    private var head: ChainHead?
    private var streamVersions: [String: Int64] = [:]
    private let recordedAt: Timestamp

    init(_ db: Database, recordedAt: Timestamp) throws {
        self.db = db
        self.head = try ChainHead.fetch(db)
        self.recordedAt = recordedAt
    }

    /// The last event's seq when the transaction began, plus what this writer appended since (0 for an empty log).
    var headSeq: Int64 { head?.seq ?? 0 }

    func currentVersion(of stream: String) throws -> Int64 {
        if let known = streamVersions[stream] { return known }
        let statement = try db.cachedStatement(sql: "SELECT max(version) FROM event WHERE stream = ?")
        return try Int64.fetchOne(statement, arguments: [stream]) ?? 0
    }

    mutating func append(
        stream: String, type: EventType, schemaVersion: Int, data: String, expected: ExpectedVersion
    ) throws -> RecordedEvent {
        let event = try ChainLink.next(
            after: head, stream: stream, currentVersion: try currentVersion(of: stream), type: type,
            schemaVersion: schemaVersion, data: data, expected: expected, recordedAt: recordedAt)
        // Cached statements: compiling SQL (and GRDB's authorizer pass) per insert cost more than the insert itself.
        let insert = try db.cachedStatement(
            sql: """
                INSERT INTO event (seq, stream, version, type, schema_version, data, recorded_at, prev_hash, hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        try insert.execute(
            arguments: [
                event.seq, stream, event.version, type.rawValue, schemaVersion, data, recordedAt.millisecondsSinceEpoch,
                event.prevHash, event.hash,
            ])
        precondition(db.lastInsertedRowID == event.seq, "event log: inserted seq \(db.lastInsertedRowID), computed \(event.seq)")
        head = ChainHead(seq: event.seq, hash: event.hash)
        streamVersions[stream] = event.version
        return event
    }
}

/// Optimistic concurrency for one stream: what version the writer believes the stream is at.
public enum ExpectedVersion: Sendable, Equatable {
    /// Append whatever the stream's version.
    case any
    /// The stream must not exist yet.
    case noStream
    /// The stream's last event must have this version.
    case exactly(Int64)

    public var required: Int64? {
        switch self {
        case .any: nil
        case .noStream: 0
        case .exactly(let version): version
        }
    }
}
