import GRDB
import LedgerCore

extension EventLog {
    /// Events matching `query`, in its order, at most `min(query.limit, maxPageSize)`.
    public func events(_ query: EventQuery) throws(StoreError) -> [RecordedEvent] {
        let (sql, arguments) = Self.selection(query, maxPageSize: options.maxPageSize)
        return try read { db in try RecordedEvent.fetchAll(db, sql: sql, arguments: arguments) }
    }

    /// `query` as SQLite SQL and its arguments.
    static func selection(_ query: EventQuery, maxPageSize: Int) -> (String, StatementArguments) {
        var arguments = StatementArguments()
        for condition in query.conditions {
            switch condition.value {
            case .integer(let value): _ = arguments.append(contentsOf: [value])
            case .text(let value): _ = arguments.append(contentsOf: [value])
            }
        }
        _ = arguments.append(contentsOf: [query.pageLimit(maxPageSize)])
        let terms = query.conditions.map { "\($0.column) \($0.comparison) ?" }.joined(separator: " AND ")
        return ("SELECT \(RecordedEvent.columns) FROM event WHERE \(terms) ORDER BY \(query.orderBy) LIMIT ?", arguments)
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
