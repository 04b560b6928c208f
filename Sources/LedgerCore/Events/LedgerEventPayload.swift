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
}
