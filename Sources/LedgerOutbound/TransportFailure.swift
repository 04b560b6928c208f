import LedgerCore

/// A call that ended without an HTTP reply.
///
/// The one question that matters to the caller is whether the server may have received the request: if it cannot
/// have, resending is safe; if it may have, its effect (a created lead, a delivered message) may exist, and the
/// caller decides what a resend would cost.
public struct TransportFailure: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        /// DNS, refused connection, TLS handshake, a pooled connection closed before our request went out.
        case connectFailed = "connect_failed"
        /// No connection within the connect timeout.
        case connectTimeout = "connect_timeout"
        /// The request was written; no complete reply came before the deadline.
        case readTimeout = "read_timeout"
        /// The request was written; the connection closed or broke before the reply was complete.
        case connectionLost = "connection_lost"
    }

    /// Details longer than this are cut: they end up in events and health, stored forever.
    public static let maxDetailBytes = 300

    public var kind: Kind
    /// A short technical description (the client error's name), never personal data.
    public var detail: String

    public init(_ kind: Kind, detail: String = "") {
        self.kind = kind
        self.detail = ReplyBodyText.bounded(detail, maxBytes: Self.maxDetailBytes)
    }

    /// True when the server may have received and processed the request.
    public var requestMayHaveBeenReceived: Bool {
        switch kind {
        case .connectFailed, .connectTimeout: false
        case .readTimeout, .connectionLost: true
        }
    }

    /// The same failure with its detail passed through `transform` (a redactor removing a token the error quoted).
    public func mapDetail(_ transform: (String) -> String) -> TransportFailure {
        TransportFailure(kind, detail: transform(detail))
    }

    public var description: String { detail.isEmpty ? kind.rawValue : "\(kind.rawValue): \(detail)" }
}
