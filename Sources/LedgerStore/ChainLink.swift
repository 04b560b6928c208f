import LedgerCore

/// The one rule for extending the chain, whatever stores it: the next event's seq, stream version, `prev_hash` and
/// hash, after the checks every backend makes (a lead's event needs its `LeadReceived`, an expected version must
/// match). Pure, so SQLite and PostgreSQL produce byte-identical events for the same input.
public enum ChainLink {
    /// The event that follows `head`, in a stream now at `currentVersion`, recorded at `recordedAt`.
    public static func next(
        after head: ChainHead?, stream: String, currentVersion: Int64, type: EventType, schemaVersion: Int, data: String,
        expected: ExpectedVersion, recordedAt: Timestamp
    ) throws(StoreError) -> RecordedEvent {
        if type != .leadReceived && type.belongsToLead && currentVersion == 0 {
            throw StoreError(.notFound, "\(type.rawValue) for stream \(stream), which has no LeadReceived")
        }
        if let required = expected.required, required != currentVersion {
            throw StoreError(.versionConflict, "stream \(stream) is at version \(currentVersion), expected \(required)")
        }
        let prevHash = head?.hash ?? EventHasher.genesis
        let seq = (head?.seq ?? 0) + 1
        let version = currentVersion + 1
        let hash = EventHasher.hash(
            prevHash: prevHash, seq: seq, stream: stream, version: version, type: type.rawValue,
            schemaVersion: schemaVersion, recordedAt: recordedAt, data: data)
        return RecordedEvent(
            seq: seq, stream: stream, version: version, type: type.rawValue, schemaVersion: schemaVersion, data: data,
            recordedAt: recordedAt, prevHash: prevHash, hash: hash)
    }
}
