import GRDB
import LedgerCore

/// An event on its way into the log, with the stream version its writer expects.
public struct PendingEvent: Sendable {
    public var event: LedgerEvent
    public var expected: ExpectedVersion

    public init(_ event: LedgerEvent, expected: ExpectedVersion = .any) {
        self.event = event
        self.expected = expected
    }
}

extension EventLog {
    /// Appends `events` atomically: all of them commit in one transaction, in order, or none does.
    ///
    /// `LeadReceived` is refused here: it must go through `receive`, which seals personal data and enforces
    /// idempotency keys.
    @discardableResult
    public func append(_ events: [PendingEvent]) throws(StoreError) -> [RecordedEvent] {
        guard !events.isEmpty else { return [] }
        guard events.count <= options.maxEventsPerAppend else {
            throw StoreError(.invalidEvent, "\(events.count) events in one append; the limit is \(options.maxEventsPerAppend)")
        }
        var encoded: [(PendingEvent, String)] = []
        encoded.reserveCapacity(events.count)
        for pending in events {
            encoded.append((pending, try pending.encodedForAppend()))
        }
        let now = clock.now()
        return try writeImmediate { db in
            var writer = try ChainWriter(db, recordedAt: now)
            return try encoded.map { pending, data in
                try writer.append(
                    stream: pending.event.stream, type: pending.event.type, schemaVersion: pending.event.schemaVersion,
                    data: data, expected: pending.expected)
            }
        }
    }

    /// Reads `query` and appends what `decide` makes of it, in one `BEGIN IMMEDIATE` transaction (see `EventStore`).
    @discardableResult
    public func append(
        afterReading query: EventQuery,
        _ decide: @escaping @Sendable ([RecordedEvent], Timestamp) throws(StoreError) -> [PendingEvent]
    ) throws(StoreError) -> [RecordedEvent] {
        let (sql, arguments) = Self.selection(query, maxPageSize: options.maxPageSize)
        let now = clock.now()
        let maxEvents = options.maxEventsPerAppend
        return try writeImmediate { db in
            let pending = try decide(try RecordedEvent.fetchAll(db, sql: sql, arguments: arguments), now)
            guard pending.count <= maxEvents else {
                throw StoreError(.invalidEvent, "\(pending.count) events in one append; the limit is \(maxEvents)")
            }
            var writer = try ChainWriter(db, recordedAt: now)
            return try pending.map { pending in
                try writer.append(
                    stream: pending.event.stream, type: pending.event.type, schemaVersion: pending.event.schemaVersion,
                    data: try pending.encodedForAppend(), expected: pending.expected)
            }
        }
    }

    /// Appends one event.
    @discardableResult
    public func append(_ event: LedgerEvent, expected: ExpectedVersion = .any) throws(StoreError) -> RecordedEvent {
        let recorded = try append([PendingEvent(event, expected: expected)])
        guard let first = recorded.first else { throw StoreError(.other, "append wrote nothing") }
        return first
    }

    /// Validates and encodes before any lock is taken, so a bad event never reaches the transaction.
    static func encode(_ event: LedgerEvent) throws(StoreError) -> String {
        do {
            try event.payload.validate()
            return try event.encodedData()
        } catch {
            throw StoreError(.invalidEvent, "\(event.type.rawValue) for \(event.stream): \(error)")
        }
    }
}

extension PendingEvent {
    /// The event's stored JSON, for `append`: validated, and refused when it is a `LeadReceived`, which only
    /// `receive` may write (it seals personal data and enforces idempotency keys). Every backend's append uses it.
    public func encodedForAppend() throws(StoreError) -> String {
        if case .leadReceived = event {
            throw StoreError(.invalidEvent, "LeadReceived must be written with receive(_:)")
        }
        return try EventLog.encode(event)
    }
}
