/// What one HTTP exchange with the Bot API produced, before any interpretation: a reply, or a failure without one.
///
/// The client produces it; the pure classifier (`TelegramReply.classify`) reads it. Tests build it by hand from
/// recorded bodies, which is why classification needs no server.
public enum TelegramExchange: Sendable, Equatable {
    case response(TelegramHTTPReply)
    case transportFailure(TelegramTransportFailure)
}

/// A complete HTTP reply, its body bounded by `TelegramAPI.maxReplyBodyBytes`.
public struct TelegramHTTPReply: Sendable, Equatable {
    public var status: Int
    /// The body, or empty when it was larger than the limit (then `bodyExceededLimit` is true).
    public var body: [UInt8]
    public var bodyExceededLimit: Bool

    public init(status: Int, body: [UInt8] = [], bodyExceededLimit: Bool = false) {
        self.status = status
        self.body = body
        self.bodyExceededLimit = bodyExceededLimit
    }

    public init(status: Int, text: String) {
        self.init(status: status, body: Array(text.utf8))
    }
}
