import LedgerCore

/// A bounded selection of events. `limit` is clamped to the log's `maxPageSize`.
public struct EventQuery: Sendable {
    /// Which end of the selection a page starts from.
    public enum Order: Sendable {
        case oldestFirst
        /// The newest events first: how a fold that needs only a stream's recent past (open alerts, the previous run
        /// of a process) reads it, without touching older rows.
        case newestFirst
    }

    /// One value a condition compares with, as both backends bind it.
    public enum Value: Sendable, Equatable {
        case integer(Int64)
        case text(String)
    }

    /// One `column comparison value` term of the WHERE clause.
    public struct Condition: Sendable, Equatable {
        public var column: String
        public var comparison: String
        public var value: Value
    }

    public var afterSeq: Int64 = 0
    /// Only events before this seq: how a newest-first reader pages backwards.
    public var beforeSeq: Int64?
    public var stream: String?
    public var type: EventType?
    public var from: Timestamp?
    public var to: Timestamp?
    public var limit: Int = 1000
    public var order: Order = .oldestFirst

    public init(
        afterSeq: Int64 = 0, beforeSeq: Int64? = nil, stream: String? = nil, type: EventType? = nil,
        from: Timestamp? = nil, to: Timestamp? = nil, limit: Int = 1000, order: Order = .oldestFirst
    ) {
        self.afterSeq = afterSeq
        self.beforeSeq = beforeSeq
        self.stream = stream
        self.type = type
        self.from = from
        self.to = to
        self.limit = limit
        self.order = order
    }

    /// The LIMIT of one read: `limit`, clamped to the store's `maxPageSize` and never negative.
    public func pageLimit(_ maxPageSize: Int) -> Int { max(0, min(limit, maxPageSize)) }

    /// The WHERE terms, in a fixed order; each backend renders them with its own placeholders.
    public var conditions: [Condition] {
        var terms = [Condition(column: "seq", comparison: ">", value: .integer(afterSeq))]
        if let beforeSeq { terms.append(Condition(column: "seq", comparison: "<", value: .integer(beforeSeq))) }
        if let stream { terms.append(Condition(column: "stream", comparison: "=", value: .text(stream))) }
        if let type { terms.append(Condition(column: "type", comparison: "=", value: .text(type.rawValue))) }
        if let from {
            terms.append(Condition(column: "recorded_at", comparison: ">=", value: .integer(from.millisecondsSinceEpoch)))
        }
        if let to { terms.append(Condition(column: "recorded_at", comparison: "<", value: .integer(to.millisecondsSinceEpoch))) }
        return terms
    }

    /// The ORDER BY clause. Within one stream, version orders as seq does and walks the `(stream, version)` index
    /// from either end, so a newest-first read of a small stream never visits the rest of the log; across streams,
    /// seq.
    public var orderBy: String {
        let column = stream == nil ? "seq" : "version"
        return order == .newestFirst ? "\(column) DESC" : column
    }
}
