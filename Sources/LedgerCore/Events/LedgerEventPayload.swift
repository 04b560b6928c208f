/// What every event body has in common: a fixed type name, a schema version, the stream it belongs to, and the
/// invariants a decoder checks beyond JSON shape.
///
/// - Important: a payload's `schemaVersion` is bumped whenever its JSON changes shape; readers keep decoding every
///   version they ever wrote, so an event written today is readable by next year's code.
public protocol LedgerEventPayload: Codable, Sendable, Equatable {
    static var type: EventType { get }
    static var schemaVersion: Int { get }
    var stream: String { get }
    /// Throws `EventValidationError` naming the first field that breaks an invariant JSON decoding cannot express.
    func validate() throws
}

/// A field of an event body that decoded but is not acceptable.
public struct EventValidationError: Error, Equatable, CustomStringConvertible {
    public var field: String
    public var reason: String

    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }

    public var description: String { "\(field): \(reason)" }
}

extension LedgerEventPayload {
    func require(_ condition: Bool, _ field: String, _ reason: String) throws {
        if !condition { throw EventValidationError(field: field, reason: reason) }
    }

    func requireLength(_ value: String?, _ field: String, max: Int) throws {
        guard let value else { return }
        try require(value.utf8.count <= max, field, "longer than \(max) bytes")
    }

    /// The attempt number and id that every attempt of a lead or its note, and every outcome naming one, carries.
    func requireAttempt(_ attempt: Int, _ attemptID: String) throws {
        try require(attempt >= 1, "attempt", "must be at least 1")
        try require(!attemptID.isEmpty && attemptID.utf8.count <= FieldLimits.identifier, "attempt_id", "empty or too long")
    }

    /// A failed attempt's outcome (`SyncFailed`, `NoteFailed`): exactly one meaning each, a retry has a time and no
    /// time means given up.
    func requireFailure(httpStatus: Int?, message: String, retryable: Bool, nextAttemptAt: Timestamp?) throws {
        try require(httpStatus.map { (100...599).contains($0) } ?? true, "http_status", "not an HTTP status")
        try requireLength(message, "message", max: FieldLimits.message)
        try require(retryable || nextAttemptAt == nil, "next_attempt_at", "set on a failure that is not retryable")
        try require(!retryable || nextAttemptAt != nil, "next_attempt_at", "missing on a retryable failure")
    }
}
