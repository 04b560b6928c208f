import GRDB
import LedgerCore

/// A bounded selection of events, oldest first. `limit` is clamped to the log's `maxPageSize`.
public struct EventQuery: Sendable {
    public var afterSeq: Int64 = 0
    public var stream: String?
    public var type: EventType?
    public var from: Timestamp?
    public var to: Timestamp?
    public var limit: Int = 1000

    public init(
        afterSeq: Int64 = 0, stream: String? = nil, type: EventType? = nil, from: Timestamp? = nil, to: Timestamp? = nil,
        limit: Int = 1000
    ) {
        self.afterSeq = afterSeq
        self.stream = stream
        self.type = type
        self.from = from
        self.to = to
        self.limit = limit
    }
}

extension EventLog {
    /// Events matching `query`, oldest first, at most `min(query.limit, maxPageSize)`.
    public func events(_ query: EventQuery) throws(StoreError) -> [RecordedEvent] {
        let limit = max(0, min(query.limit, options.maxPageSize))
        var clauses = ["seq > ?"]
        var arguments: StatementArguments = [query.afterSeq]
        if let stream = query.stream {
            clauses.append("stream = ?")
            _ = arguments.append(contentsOf: [stream])
        }
        if let type = query.type {
            clauses.append("type = ?")
            _ = arguments.append(contentsOf: [type.rawValue])
        }
        if let from = query.from {
            clauses.append("recorded_at >= ?")
            _ = arguments.append(contentsOf: [from.millisecondsSinceEpoch])
        }
        if let to = query.to {
            clauses.append("recorded_at < ?")
            _ = arguments.append(contentsOf: [to.millisecondsSinceEpoch])
        }
        _ = arguments.append(contentsOf: [limit])
        let sql = "SELECT \(RecordedEvent.columns) FROM event WHERE \(clauses.joined(separator: " AND ")) ORDER BY seq LIMIT ?"
        return try read { db in try RecordedEvent.fetchAll(db, sql: sql, arguments: arguments) }
    }

    /// Number of events in the log (the last seq, since seq has no gaps).
    public func count() throws(StoreError) -> Int64 {
        try head()?.seq ?? 0
    }
}

extension RecordedEvent {
    static let columns = "seq, stream, version, type, schema_version, data, recorded_at, prev_hash, hash"

    init(row: Row) {
        self.init(
            seq: row[0], stream: row[1], version: row[2], type: row[3], schemaVersion: row[4], data: row[5],
            recordedAt: Timestamp(millisecondsSinceEpoch: row[6]), prevHash: row[7], hash: row[8])
    }

    /// Reads events in a caller's transaction (`verify` pages through the log with it).
    public static func fetchAll(_ db: Database, afterSeq: Int64, limit: Int) throws -> [RecordedEvent] {
        let statement = try db.cachedStatement(sql: "SELECT \(columns) FROM event WHERE seq > ? ORDER BY seq LIMIT ?")
        var events: [RecordedEvent] = []
        events.reserveCapacity(min(limit, 100_000))
        let cursor = try Row.fetchCursor(statement, arguments: [afterSeq, limit])
        while let row = try cursor.next() { events.append(RecordedEvent(row: row)) }
        return events
    }

    static func fetchAll(_ db: Database, sql: String, arguments: StatementArguments) throws -> [RecordedEvent] {
        var events: [RecordedEvent] = []
        let cursor = try Row.fetchCursor(db, sql: sql, arguments: arguments)
        while let row = try cursor.next() { events.append(RecordedEvent(row: row)) }
        return events
    }
}
