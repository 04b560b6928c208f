import LedgerCore
import LedgerStore
import PostgresNIO

extension PostgresEventLog {
    /// Events matching `query`, in its order, at most `min(query.limit, maxPageSize)`: the same selection as the
    /// SQLite log's `events(_:)`.
    public func events(_ query: EventQuery) async throws(StoreError) -> [RecordedEvent] {
        let statement = Self.selection(query, maxPageSize: options.maxPageSize)
        let logger = logger
        return try await withConnection { connection in
            try await Self.decode(try await connection.query(statement, logger: logger))
        }
    }

    /// `query` as a PostgreSQL statement with its bindings.
    static func selection(_ query: EventQuery, maxPageSize: Int) -> PostgresQuery {
        var bindings = PostgresBindings()
        var terms: [String] = []
        for condition in query.conditions {
            switch condition.value {
            case .integer(let value): bindings.append(value)
            case .text(let value): bindings.append(value)
            }
            terms.append("\(condition.column) \(condition.comparison) $\(bindings.count)")
        }
        bindings.append(Int64(query.pageLimit(maxPageSize)))
        let sql =
            "SELECT \(columns) FROM event WHERE \(terms.joined(separator: " AND ")) ORDER BY \(query.orderBy) "
            + "LIMIT $\(bindings.count)"
        return PostgresQuery(unsafeSQL: sql, binds: bindings)
    }

    static let columns = "seq, stream, version, type, schema_version, data, recorded_at, prev_hash, hash"

    static func decode(_ rows: PostgresRowSequence) async throws -> [RecordedEvent] {
        var events: [RecordedEvent] = []
        for try await (seq, stream, version, type, schemaVersion, data, recordedAt, prevHash, hash) in rows.decode(
            (Int64, String, Int64, String, Int32, String, Int64, String, String).self)
        {
            events.append(
                RecordedEvent(
                    seq: seq, stream: stream, version: version, type: type, schemaVersion: Int(schemaVersion), data: data,
                    recordedAt: Timestamp(millisecondsSinceEpoch: recordedAt), prevHash: prevHash, hash: hash))
        }
        return events
    }
}
