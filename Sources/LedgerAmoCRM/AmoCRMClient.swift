import Foundation
import LedgerCore
import LedgerOutbound
import Logging
import Metrics

/// The HTTP side of AmoCRM: sends one request, returns what happened as a value. Never throws on HTTP or transport
/// errors, because for the reactor they are outcomes to record, not exceptions to propagate.
///
/// The client does no retrying, pacing or circuit breaking: those are the reactor's policy (`RetrySchedule`,
/// `RequestPacer`, `CircuitBreaker`), decided from the classified replies this client returns. The network is an
/// `HTTPTransport`: `ClientTransport` in production, canned exchanges in the reactor's tests.
public final class AmoCRMClient: Sendable {
    private let transport: any HTTPTransport
    private let configuration: AmoCRMClientConfiguration
    private let accessToken: AmoCRMAccessTokenProvider
    private let logger: Logger

    /// - Parameters:
    ///   - transport: the network; nil makes a `ClientTransport` from `configuration`. Either way the client owns it
    ///     and `shutdown()` shuts it down.
    ///   - accessToken: asked before every authorised call.
    public init(
        configuration: AmoCRMClientConfiguration, accessToken: @escaping AmoCRMAccessTokenProvider,
        transport: (any HTTPTransport)? = nil, clock: any LedgerClock = SystemClock(), logger: Logger
    ) {
        self.configuration = configuration
        self.accessToken = accessToken
        self.logger = logger
        self.transport =
            transport
            ?? ClientTransport(
                connectTimeout: configuration.connectTimeout, maxReplyBodyBytes: configuration.maxReplyBodyBytes,
                clock: clock, requestLogger: logger)
    }

    /// Shuts down the transport. Call once, when done.
    public func shutdown() async {
        await transport.shutdown()
    }

    /// `POST /api/v4/leads/complex`.
    public func createLeads(_ request: ComplexLeadRequest) async -> ComplexCreateReply {
        let exchange = await send(.POST, path: AmoCRMAPI.complexLeadsPath, body: request.body)
        return ComplexCreateReply.classify(exchange, request: request)
    }

    /// `GET /api/v4/leads?query=<ledger lead id>`: is the lead already there?
    public func searchLead(ledgerLeadID: String) async -> LeadSearchReply {
        let exchange = await send(.GET, path: AmoCRMAPI.leadSearchPath(query: ledgerLeadID))
        return LeadSearchReply.classify(exchange, ledgerLeadID: ledgerLeadID)
    }

    /// One page of the leads created between two unix seconds (`AmoCRMAPI.leadListPath`): reconciliation's list.
    public func listLeads(createdFrom: Int64, createdTo: Int64, page: Int) async -> LeadListReply {
        let exchange = await send(.GET, path: AmoCRMAPI.leadListPath(createdFrom: createdFrom, createdTo: createdTo, page: page))
        return LeadListReply.classify(exchange, limit: AmoCRMAPI.listPageLimit)
    }

    /// `GET /api/v4/account`: the circuit breaker's probe.
    public func probe() async -> ProbeReply {
        ProbeReply.classify(await send(.GET, path: AmoCRMAPI.accountPath))
    }

    /// `GET /api/v4/account` read for the account's name and AmoCRM's clock (`check-amocrm`).
    public func account() async -> AccountReply {
        AccountReply.classify(await send(.GET, path: AmoCRMAPI.accountPath))
    }

    /// `GET /api/v4/leads/pipelines`: the pipelines and stages a lead may be created in.
    public func listPipelines() async -> PipelineListReply {
        PipelineListReply.classify(await send(.GET, path: AmoCRMAPI.pipelinesPath))
    }

    /// One page of an entity's custom fields (`AmoCRMAPI.customFieldListPath`).
    public func listCustomFields(_ entity: CustomFieldEntity, page: Int) async -> CustomFieldListReply {
        let exchange = await send(.GET, path: AmoCRMAPI.customFieldListPath(entity, page: page))
        return CustomFieldListReply.classify(exchange, limit: AmoCRMAPI.listPageLimit)
    }

    /// `POST /api/v4/leads/notes` with a body from `LeadNoteRequest.body(notes:)`.
    public func addNotes(_ body: [UInt8]) async -> NoteCreateReply {
        NoteCreateReply.classify(await send(.POST, path: AmoCRMAPI.leadNotesPath, body: body))
    }

    /// One page of the common notes on `crmLeadIDs` (`AmoCRMAPI.noteListPath`): the check after a note's unknown
    /// outcome.
    public func listNotes(crmLeadIDs: [Int64], page: Int) async -> NoteListReply {
        let exchange = await send(.GET, path: AmoCRMAPI.noteListPath(crmLeadIDs: crmLeadIDs, page: page))
        return NoteListReply.classify(exchange, limit: AmoCRMAPI.listPageLimit)
    }

    /// `POST /oauth2/access_token` with the refresh token. Read `TokenRefreshRequest` before calling: refresh tokens
    /// are single-use.
    public func refreshToken(clientID: String, clientSecret: Secret, refreshToken: Secret, redirectURI: String) async
        -> TokenRefreshReply
    {
        let body = TokenRefreshRequest.body(
            clientID: clientID, clientSecret: clientSecret, refreshToken: refreshToken, redirectURI: redirectURI)
        return TokenRefreshReply.classify(await send(.POST, path: AmoCRMAPI.accessTokenPath, body: body, authorized: false))
    }

    /// Sends one request and records what happened. Public so calls this type has no method for can still go
    /// through the same timeouts, limits and error mapping.
    public func send(_ method: OutboundRequest.Method, path: String, body: [UInt8]? = nil, authorized: Bool = true) async
        -> HTTPExchange
    {
        var headers = [
            OutboundRequest.Header("User-Agent", configuration.userAgent),
            OutboundRequest.Header("Accept", "application/json"),
        ]
        if body != nil { headers.append(.init("Content-Type", "application/json")) }
        if authorized, let token = await accessToken() { headers.append(.init("Authorization", "Bearer \(token.value)")) }
        let started = ContinuousClock.now
        let exchange = await transport.send(
            OutboundRequest(
                method: method, url: configuration.url(for: path), headers: headers, body: body,
                timeout: configuration.requestTimeout))
        log(exchange, method: method, path: path)
        Timer(label: "leadledger_crm_request_duration_seconds", dimensions: [("operation", Self.operation(path))])
            .record(duration: ContinuousClock.now - started)
        return exchange
    }

    /// The metric label for a path: a closed set, so a search's query never becomes a label value.
    static func operation(_ path: String) -> String {
        let route = path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? path
        switch route {
        case AmoCRMAPI.complexLeadsPath: return "create"
        case AmoCRMAPI.leadNotesPath: return "notes"
        case AmoCRMAPI.accountPath: return "probe"
        case AmoCRMAPI.accessTokenPath: return "token"
        case _ where path.hasPrefix("/api/v4/leads?query="): return "search"
        case _ where path.hasPrefix("/api/v4/leads?"): return "list"
        default: return "other"
        }
    }

    private func log(_ exchange: HTTPExchange, method: OutboundRequest.Method, path: String) {
        // The path only up to its query: a search query is a ledger id, harmless, but paths stay uniform in logs.
        let route = path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? path
        switch exchange {
        case .response(let reply):
            logger.debug(
                "AmoCRM replied",
                metadata: [
                    "http.method": "\(method.rawValue)", "http.route": "\(route)", "http.status": "\(reply.status)",
                    "crm.request_id": "\(reply.requestID ?? "-")",
                ])
        case .transportFailure(let failure):
            logger.debug(
                "AmoCRM call failed without a reply",
                metadata: ["http.method": "\(method.rawValue)", "http.route": "\(route)", "crm.failure": "\(failure)"])
        }
    }
}
