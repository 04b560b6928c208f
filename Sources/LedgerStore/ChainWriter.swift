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
        let current = try currentVersion(of: stream)
        if type != .leadReceived && type.belongsToLead && current == 0 {
            throw StoreError(.notFound, "\(type.rawValue) for stream \(stream), which has no LeadReceived")
        }
        if let required = expected.required, required != current {
            throw StoreError(.versionConflict, "stream \(stream) is at version \(current), expected \(required)")
        }
        let prevHash = head?.hash ?? EventHasher.genesis
        let seq = (head?.seq ?? 0) + 1
        let version = current + 1
        let hash = EventHasher.hash(
            prevHash: prevHash, seq: seq, stream: stream, version: version, type: type.rawValue,
            schemaVersion: schemaVersion, recordedAt: recordedAt, data: data)
        // Cached statements: compiling SQL (and GRDB's authorizer pass) per insert cost more than the insert itself.
        let insert = try db.cachedStatement(
            sql: """
                INSERT INTO event (seq, stream, version, type, schema_version, data, recorded_at, prev_hash, hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        try insert.execute(
            arguments: [
                seq, stream, version, type.rawValue, schemaVersion, data, recordedAt.millisecondsSinceEpoch, prevHash, hash,
            ])
        precondition(db.lastInsertedRowID == seq, "event log: inserted seq \(db.lastInsertedRowID), computed \(seq)")
        head = ChainHead(seq: seq, hash: hash)
        streamVersions[stream] = version
        return RecordedEvent(
            seq: seq, stream: stream, version: version, type: type.rawValue, schemaVersion: schemaVersion, data: data,
            recordedAt: recordedAt, prevHash: prevHash, hash: hash)
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

    var required: Int64? {
        switch self {
        case .any: nil
        case .noStream: 0
        case .exactly(let version): version
        }
    }
}
