import LedgerCore
import LedgerStore
import PostgresNIO

extension PostgresEventLog {
    /// Events matching `query`, oldest first, at most `min(query.limit, maxPageSize)`: the same selection as the
    /// SQLite log's `events(_:)`.
    public func events(_ query: EventQuery) async throws(StoreError) -> [RecordedEvent] {
        let limit = max(0, min(query.limit, options.maxPageSize))
        var sql = "SELECT \(Self.columns) FROM event WHERE seq > $1"
        var bindings = PostgresBindings()
        bindings.append(query.afterSeq)
        if let stream = query.stream {
            bindings.append(stream)
            sql += " AND stream = $\(bindings.count)"
        }
        if let type = query.type {
            bindings.append(type.rawValue)
            sql += " AND type = $\(bindings.count)"
        }
        if let from = query.from {
            bindings.append(from.millisecondsSinceEpoch)
            sql += " AND recorded_at >= $\(bindings.count)"
        }
        if let to = query.to {
            bindings.append(to.millisecondsSinceEpoch)
            sql += " AND recorded_at < $\(bindings.count)"
        }
        bindings.append(Int64(limit))
        sql += " ORDER BY seq LIMIT $\(bindings.count)"
        let statement = PostgresQuery(unsafeSQL: sql, binds: bindings)
        let logger = logger
        return try await withConnection { connection in
            try await Self.decode(try await connection.query(statement, logger: logger))
        }
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
