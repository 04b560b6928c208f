import LedgerCore

/// A complete HTTP reply, its body bounded by the transport's `maxReplyBodyBytes`.
public struct HTTPReply: Sendable, Equatable {
    public var status: Int
    /// The raw `Retry-After` header, if any (seconds or an HTTP-date).
    public var retryAfter: String?
    public var contentType: String?
    /// The server's `X-Request-Id`, worth logging for support tickets.
    public var requestID: String?
    /// The raw `Date` header: the server's clock when it answered (`check-amocrm` compares it with ours).
    public var date: String?
    /// The body, or empty when it was larger than the limit (then `bodyExceededLimit` is true).
    public var body: [UInt8]
    public var bodyExceededLimit: Bool
    /// When the reply arrived: an HTTP-date `Retry-After` is turned into a duration from this instant.
    public var receivedAt: Timestamp

    public init(
        status: Int, body: [UInt8] = [], contentType: String? = nil, retryAfter: String? = nil,
        requestID: String? = nil, date: String? = nil, bodyExceededLimit: Bool = false, receivedAt: Timestamp
    ) {
        self.status = status
        self.retryAfter = retryAfter
        self.contentType = contentType
        self.requestID = requestID
        self.date = date
        self.body = body
        self.bodyExceededLimit = bodyExceededLimit
        self.receivedAt = receivedAt
    }

    public init(
        status: Int, text: String, contentType: String? = nil, retryAfter: String? = nil, date: String? = nil,
        receivedAt: Timestamp
    ) {
        self.init(
            status: status, body: Array(text.utf8), contentType: contentType, retryAfter: retryAfter, date: date,
            receivedAt: receivedAt)
    }
}
