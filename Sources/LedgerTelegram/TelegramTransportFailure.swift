/// A call that ended without an HTTP reply.
///
/// Telegram has no idempotency key, so the side of the line matters for the reader of the alert, not for safety:
/// after the request went out, a message may have been delivered and a resend may show it twice. Alert texts carry a
/// short alert id so such a rare duplicate is recognisable.
public struct TelegramTransportFailure: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        /// DNS, refused or reset connection, TLS handshake: the request did not go out.
        case connectFailed = "connect_failed"
        /// No connection within the connect timeout.
        case connectTimeout = "connect_timeout"
        /// The request was written; no complete reply came before the deadline.
        case readTimeout = "read_timeout"
        /// The request was written; the connection closed or broke before the reply was complete.
        case connectionLost = "connection_lost"
    }

    public var kind: Kind
    /// A short technical description (the client error's name), with the bot token redacted.
    public var detail: String

    public init(_ kind: Kind, detail: String = "") {
        self.kind = kind
        self.detail = TelegramReplyText.bounded(detail)
    }

    /// True when Telegram may have received the request, so the message may have been delivered.
    public var mayHaveBeenDelivered: Bool {
        switch kind {
        case .connectFailed, .connectTimeout: false
        case .readTimeout, .connectionLost: true
        }
    }

    public var description: String { detail.isEmpty ? kind.rawValue : "\(kind.rawValue): \(detail)" }
}
