/// One request to a remote API, as a value: what a transport sends and what a canned transport in a test is asked.
///
/// The URL may carry a secret (the Bot API puts the token in the path), so it is never logged or described by this
/// layer.
public struct OutboundRequest: Sendable, Equatable {
    /// The HTTP methods our APIs use; our own type so callers need not import NIO.
    public enum Method: String, Sendable, Equatable {
        case GET, POST, PATCH
    }

    public var method: Method
    /// The full URL, scheme to query.
    public var url: String
    /// Header names and values, sent in this order.
    public var headers: [Header]
    /// A JSON body, or nil for none.
    public var body: [UInt8]?
    /// The whole exchange, connect to last body byte; past it the call ends as a transport failure.
    public var timeout: Duration

    public struct Header: Sendable, Equatable {
        public var name: String
        public var value: String

        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    public init(method: Method, url: String, headers: [Header] = [], body: [UInt8]? = nil, timeout: Duration) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }

    /// The path and query of `url`, without scheme and host: what a test routes on.
    public var path: String {
        guard let schemeEnd = url.firstRange(of: "://") else { return url }
        let rest = url[schemeEnd.upperBound...]
        guard let slash = rest.firstIndex(of: "/") else { return "/" }
        return String(rest[slash...])
    }
}
