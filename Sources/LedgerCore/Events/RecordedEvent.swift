/// An event as the log holds it: its place in the global order, its place in its stream, and its link in the chain.
public struct RecordedEvent: Sendable, Equatable {
    /// Global position; strictly increasing from 1 with no gaps.
    public var seq: Int64
    public var stream: String
    /// Position in `stream`; 1 for the stream's first event.
    public var version: Int64
    public var type: String
    public var schemaVersion: Int
    /// The JSON body exactly as stored (and hashed).
    public var data: String
    public var recordedAt: Timestamp
    public var prevHash: String
    public var hash: String

    public init(
        seq: Int64, stream: String, version: Int64, type: String, schemaVersion: Int, data: String,
        recordedAt: Timestamp, prevHash: String, hash: String
    ) {
        self.seq = seq
        self.stream = stream
        self.version = version
        self.type = type
        self.schemaVersion = schemaVersion
        self.data = data
        self.recordedAt = recordedAt
        self.prevHash = prevHash
        self.hash = hash
    }

    public func decode(strict: Bool = true) throws(EventDecodingError) -> LedgerEvent {
        try LedgerEvent.decode(type: type, schemaVersion: schemaVersion, data: data, strict: strict)
    }

    /// What this event's hash must be, given its fields and `prevHash`.
    public func computedHash() -> String {
        EventHasher.hash(
            prevHash: prevHash, seq: seq, stream: stream, version: version, type: type,
            schemaVersion: schemaVersion, recordedAt: recordedAt, data: data
        )
    }
}
