import Foundation

/// Any event the log can hold, decoded into its type.
public enum LedgerEvent: Sendable, Equatable {
    case leadReceived(LeadReceived)
    case syncAttempted(SyncAttempted)
    case syncFailed(SyncFailed)
    case syncSucceeded(SyncSucceeded)
    case alertRaised(AlertRaised)
    case leadErased(LeadErased)
    case leadRequeued(LeadRequeued)
    case processStarted(ProcessStarted)
    case processStopped(ProcessStopped)
    case alertResolved(AlertResolved)
    case alertDelivered(AlertDelivered)
    case alertUndeliverable(AlertUndeliverable)
    case reportProduced(ReportProduced)
    case noteAttempted(NoteAttempted)
    case noteAdded(NoteAdded)
    case noteFailed(NoteFailed)

    public var payload: any LedgerEventPayload {
        switch self {
        case .leadReceived(let event): event
        case .syncAttempted(let event): event
        case .syncFailed(let event): event
        case .syncSucceeded(let event): event
        case .alertRaised(let event): event
        case .leadErased(let event): event
        case .leadRequeued(let event): event
        case .processStarted(let event): event
        case .processStopped(let event): event
        case .alertResolved(let event): event
        case .alertDelivered(let event): event
        case .alertUndeliverable(let event): event
        case .reportProduced(let event): event
        case .noteAttempted(let event): event
        case .noteAdded(let event): event
        case .noteFailed(let event): event
        }
    }

    public var type: EventType { Swift.type(of: payload).type }
    public var schemaVersion: Int { Swift.type(of: payload).schemaVersion }
    public var stream: String { payload.stream }

    /// The lead this event belongs to, if any.
    public var leadID: LeadID? {
        switch self {
        case .leadReceived(let event): event.leadID
        case .syncAttempted(let event): event.leadID
        case .syncFailed(let event): event.leadID
        case .syncSucceeded(let event): event.leadID
        case .leadErased(let event): event.leadID
        case .leadRequeued(let event): event.leadID
        case .noteAttempted(let event): event.leadID
        case .noteAdded(let event): event.leadID
        case .noteFailed(let event): event.leadID
        case .alertRaised, .processStarted, .processStopped, .alertResolved, .alertDelivered, .alertUndeliverable,
            .reportProduced:
            nil
        }
    }

    /// The body as the log stores it. A lead's body, written once per ingested lead, skips `JSONEncoder` for the
    /// same bytes (`LeadReceived.jsonText`).
    public func encodedData() throws -> String {
        if case .leadReceived(let lead) = self, let text = lead.jsonText() { return text }
        return try EventJSON.encode(payload)
    }

    /// Decodes a stored body strictly: the type and schema version must be known, every field must decode, no
    /// unknown field may be present, and the payload's own invariants must hold.
    ///
    /// `strict: false` skips the unknown-field check, for projectors re-reading events that `verify` has already judged.
    public static func decode(
        type: String, schemaVersion: Int, data: String, strict: Bool = true
    ) throws(EventDecodingError) -> LedgerEvent {
        guard let eventType = EventType(rawValue: type) else { throw .unknownType(type) }
        let event: LedgerEvent
        do {
            switch eventType {
            case .leadReceived: event = .leadReceived(try decodeBody(LeadReceived.self, schemaVersion, data, strict))
            case .syncAttempted: event = .syncAttempted(try decodeBody(SyncAttempted.self, schemaVersion, data, strict))
            case .syncFailed: event = .syncFailed(try decodeBody(SyncFailed.self, schemaVersion, data, strict))
            case .syncSucceeded: event = .syncSucceeded(try decodeBody(SyncSucceeded.self, schemaVersion, data, strict))
            case .alertRaised: event = .alertRaised(try decodeBody(AlertRaised.self, schemaVersion, data, strict))
            case .leadErased: event = .leadErased(try decodeBody(LeadErased.self, schemaVersion, data, strict))
            case .leadRequeued: event = .leadRequeued(try decodeBody(LeadRequeued.self, schemaVersion, data, strict))
            case .processStarted:
                event = .processStarted(try decodeBody(ProcessStarted.self, schemaVersion, data, strict))
            case .processStopped:
                event = .processStopped(try decodeBody(ProcessStopped.self, schemaVersion, data, strict))
            case .alertResolved:
                event = .alertResolved(try decodeBody(AlertResolved.self, schemaVersion, data, strict))
            case .alertDelivered:
                event = .alertDelivered(try decodeBody(AlertDelivered.self, schemaVersion, data, strict))
            case .alertUndeliverable:
                event = .alertUndeliverable(try decodeBody(AlertUndeliverable.self, schemaVersion, data, strict))
            case .reportProduced:
                event = .reportProduced(try decodeBody(ReportProduced.self, schemaVersion, data, strict))
            case .noteAttempted: event = .noteAttempted(try decodeBody(NoteAttempted.self, schemaVersion, data, strict))
            case .noteAdded: event = .noteAdded(try decodeBody(NoteAdded.self, schemaVersion, data, strict))
            case .noteFailed: event = .noteFailed(try decodeBody(NoteFailed.self, schemaVersion, data, strict))
            }
        } catch let error as EventDecodingError {
            throw error
        } catch let error as EventValidationError {
            throw .invalid(type: type, reason: error.description)
        } catch {
            throw .malformed(type: type, reason: String(describing: error))
        }
        return event
    }

    private static func decodeBody<T: LedgerEventPayload>(_: T.Type, _ schemaVersion: Int, _ data: String, _ strict: Bool) throws
        -> T
    {
        guard schemaVersion == T.schemaVersion else {
            throw EventDecodingError.unknownSchemaVersion(type: T.type.rawValue, version: schemaVersion)
        }
        let value = try EventJSON.decode(T.self, from: data)
        try value.validate()
        guard strict else { return value }
        // Unknown fields: JSONDecoder ignores them, so re-encode and compare. The byte comparison is the fast path;
        // a structural comparison keeps old events valid if a future encoder formats the same value differently.
        let reencoded = try EventJSON.encode(value)
        if reencoded != data && !sameJSON(reencoded, data) {
            throw EventDecodingError.invalid(type: T.type.rawValue, reason: "fields outside the schema or not in canonical form")
        }
        return value
    }

    private static func sameJSON(_ lhs: String, _ rhs: String) -> Bool {
        guard let left = try? JSONSerialization.jsonObject(with: Data(lhs.utf8), options: [.fragmentsAllowed]),
            let right = try? JSONSerialization.jsonObject(with: Data(rhs.utf8), options: [.fragmentsAllowed])
        else { return false }
        return (left as? NSObject)?.isEqual(right) ?? false
    }
}

/// Why a stored body is not a valid event of its type.
public enum EventDecodingError: Error, Equatable, CustomStringConvertible {
    case unknownType(String)
    case unknownSchemaVersion(type: String, version: Int)
    case malformed(type: String, reason: String)
    case invalid(type: String, reason: String)

    public var description: String {
        switch self {
        case .unknownType(let type): "unknown event type \(type)"
        case .unknownSchemaVersion(let type, let version): "\(type) schema version \(version) is not known to this binary"
        case .malformed(let type, let reason): "\(type) body does not decode: \(reason)"
        case .invalid(let type, let reason): "\(type) body is invalid: \(reason)"
        }
    }
}
