import LedgerCore

/// What one HTTP exchange with AmoCRM produced, before any interpretation: a reply, or a transport failure that says
/// whether the request can have reached the server.
///
/// The HTTP client produces it; the pure classifiers (`ComplexCreateReply`, `LeadSearchReply`, `TokenRefreshReply`,
/// `ProbeReply`) read it. Tests build it by hand, which is why classification needs no server.
public enum AmoCRMExchange: Sendable, Equatable {
    case response(HTTPReply)
    case transportFailure(TransportFailure)
}

/// A complete HTTP reply, its body bounded by `AmoCRMAPI.maxReplyBodyBytes`.
public struct HTTPReply: Sendable, Equatable {
    public var status: Int
    /// The raw `Retry-After` header, if any (seconds or an HTTP-date).
    public var retryAfter: String?
    public var contentType: String?
    /// AmoCRM's `X-Request-Id`, worth logging for support tickets.
    public var amoRequestID: String?
    /// The raw `Date` header: AmoCRM's clock when it answered, which `check-amocrm` compares with ours because
    /// reconciliation lists leads by `created_at` windows stamped by our clock.
    public var date: String?
    /// The body, or empty when it was larger than the limit (then `bodyExceededLimit` is true).
    public var body: [UInt8]
    public var bodyExceededLimit: Bool
    /// When the reply arrived: an HTTP-date `Retry-After` is turned into a duration from this instant.
    public var receivedAt: Timestamp

    public init(
        status: Int, body: [UInt8] = [], contentType: String? = nil, retryAfter: String? = nil,
        amoRequestID: String? = nil, date: String? = nil, bodyExceededLimit: Bool = false, receivedAt: Timestamp
    ) {
        self.status = status
        self.retryAfter = retryAfter
        self.contentType = contentType
        self.amoRequestID = amoRequestID
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

/// A list call's reply before its body is read: the same first steps for every list (leads, notes, pipelines,
/// custom fields), so each classifier only decodes its own body.
enum ListExchange {
    case failed(AmoCRMFailure)
    /// 204, or a body of nothing but whitespace: how AmoCRM answers a list with nothing on the page.
    case empty
    case body(HTTPReply)

    /// - Parameter what: names the list in the over-limit reason (`"note list"`).
    init(_ exchange: AmoCRMExchange, what: String) {
        switch exchange {
        case .transportFailure(let failure):
            self = .failed(AmoCRMFailure.readFailure(failure))
        case .response(let reply) where !(200...299).contains(reply.status):
            self = .failed(AmoCRMFailure.classifyError(reply))
        case .response(let reply) where reply.bodyExceededLimit:
            self = .failed(
                .malformedReply(status: reply.status, reason: "\(what) over \(AmoCRMAPI.maxReplyBodyBytes) bytes"))
        case .response(let reply)
        where reply.status == 204 || reply.body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }):
            self = .empty
        case .response(let reply):
            self = .body(reply)
        }
    }
}

/// A call that ended without an HTTP reply.
///
/// The one question that matters for a create call is whether AmoCRM may have received the request: if it cannot
/// have, resending is safe; if it may have, the lead may exist and must be searched for before any resend.
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

    public var kind: Kind
    /// A short technical description (the client error's name), never personal data.
    public var detail: String

    public init(_ kind: Kind, detail: String = "") {
        self.kind = kind
        self.detail = ReplyText.bounded(detail)
    }

    /// True when AmoCRM may have received and processed the request.
    public var requestMayHaveBeenReceived: Bool {
        switch kind {
        case .connectFailed, .connectTimeout: false
        case .readTimeout, .connectionLost: true
        }
    }

    /// `timeout` for both timeouts, `transport` for the rest: the health view tells a slow CRM from a broken network.
    public var errorClass: SyncErrorClass {
        switch kind {
        case .connectTimeout, .readTimeout: .timeout
        case .connectFailed, .connectionLost: .transport
        }
    }

    public var description: String { detail.isEmpty ? kind.rawValue : "\(kind.rawValue): \(detail)" }
}
