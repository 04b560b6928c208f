/// A credential. Its description is always `<redacted>`, so a secret printed by accident (a log line, an error, a
/// `dump`) shows nothing. Read `value` only where the secret is used.
public struct Secret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public let value: String

    public init(_ value: String) { self.value = value }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
}
