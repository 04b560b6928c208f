import Foundation
import LedgerCore

/// Where and how patiently the client talks to AmoCRM.
///
/// The defaults follow the official PHP library (5 s connect) and the rule that every call is bounded
/// well below the supervisor's stop timeout: the old outage was CRM calls hanging and freezing the process.
public struct AmoCRMClientConfiguration: Sendable {
    /// The account's own host, `https://{subdomain}.amocrm.ru`; paths are appended to it.
    public var baseURL: URL
    /// Applies to the transport the `AmoCRMClient` creates itself; an injected one keeps its own.
    public var connectTimeout: Duration
    /// The whole exchange, connect to last body byte; past it the call ends as a transport failure.
    public var requestTimeout: Duration
    /// Bodies larger than this are not read (see `AmoCRMAPI.maxReplyBodyBytes`).
    public var maxReplyBodyBytes: Int
    public var userAgent: String

    public init(
        baseURL: URL, connectTimeout: Duration = .seconds(5), requestTimeout: Duration = .seconds(30),
        maxReplyBodyBytes: Int = AmoCRMAPI.maxReplyBodyBytes, userAgent: String = "LeadLedger"
    ) {
        self.baseURL = baseURL
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.maxReplyBodyBytes = maxReplyBodyBytes
        self.userAgent = userAgent
    }

    /// The full URL of an API path such as `/api/v4/leads/complex`.
    func url(for path: String) -> String {
        var base = baseURL.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        return base + path
    }
}

/// Supplies the bearer token for each call. A closure, not a value, so the reactor can swap tokens after a refresh
/// without rebuilding the client; nil sends no `Authorization` header (AmoCRM then answers 401).
public typealias AmoCRMAccessTokenProvider = @Sendable () async -> Secret?
