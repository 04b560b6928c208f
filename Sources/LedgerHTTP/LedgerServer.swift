import Foundation
import Hummingbird
import HummingbirdCore
import LedgerCore
import LedgerIngest
import LedgerProjections
import LedgerStore
import Logging
import NIOCore
import Prometheus
import ServiceLifecycle

/// The `serve` process: ingest, health, the admin API and the dashboard over HTTP, on the log's group committer. It
/// never calls AmoCRM.
public struct LedgerServer: Sendable {
    public struct Configuration: Sendable {
        public var host: String
        public var port: Int
        public var ingestLimits: IngestLimits
        public var groupCommit: GroupCommitter.Limits
        /// Whether AmoCRM and Telegram are configured; health reports a missing integration as disabled.
        public var crmEnabled: Bool
        public var telegramEnabled: Bool
        /// Events folded per projection transaction while serving.
        public var projectionBatchSize: Int
        /// Double-submission window in seconds; 0 = off.
        public var duplicateWindowSeconds: Int
        /// Bearer token of `/api/admin/*`; nil disables the admin API (503).
        public var adminToken: Secret?
        /// Day boundaries, SLA and money of the daily report.
        public var report: LostLeadCostReport.Settings
        /// Language of the dashboard (`GET /`): `ru` or `en` (`LEADLEDGER_LOCALE`).
        public var locale = "ru"
        /// Browser origins allowed to post leads with `fetch()`.
        public var corsOrigins: [String] = []
        /// Per-client-IP token bucket on ingest; 0 turns it off.
        public var rateLimitPerMinute = 60
        public var rateLimitBurst = 10
        /// Deadlines of each phase of a request, header bounds, the per-client connection cap and trusted proxies.
        public var frontDoor = FrontDoorSettings()
        /// Open connections at most: `frontDoor.connectionCap(descriptorLimit:)`, worked out by the caller at start
        /// from the process's descriptor limit.
        public var maxConnections = 512
        /// Open descriptors above this share of the limit degrade health (`LEADLEDGER_ALERT_DESCRIPTORS_PERCENT`).
        public var descriptorsAlertPercent = 80
        /// How often `serve` writes its descriptor and connection figures beside the log for `react`'s alert rules.
        public var statusInterval: Duration = .seconds(2)
        /// The hidden form field that marks spam when filled in; empty = no honeypot.
        public var honeypotField = "_honeypot"
        /// Thank-you page for plain HTML form posts (303), and the origins a form's `_redirect` may name.
        public var formRedirectURL: URL?
        public var redirectOrigins: [String] = []
        /// Most dashboard, detailed-health, `/metrics` and admin requests waiting for the read lane; one more answers
        /// 503 with `Retry-After` (`LEADLEDGER_READ_QUEUE_MAX`).
        public var readQueueLimit = 64
        /// Where `/metrics` reads from. `serve` passes the registry it also bootstraps swift-metrics with, so library
        /// metrics land on the same page.
        public var metricsRegistry = PrometheusCollectorRegistry()

        public init(
            host: String, port: Int, ingestLimits: IngestLimits = IngestLimits(),
            groupCommit: GroupCommitter.Limits = GroupCommitter.Limits(), crmEnabled: Bool = false,
            telegramEnabled: Bool = false, projectionBatchSize: Int = 2000, duplicateWindowSeconds: Int = 10,
            adminToken: Secret? = nil,
            report: LostLeadCostReport.Settings = .init(timeZone: TimeZone(identifier: "Europe/Moscow") ?? .current)
        ) {
            self.adminToken = adminToken
            self.report = report
            self.duplicateWindowSeconds = duplicateWindowSeconds
            self.crmEnabled = crmEnabled
            self.telegramEnabled = telegramEnabled
            self.projectionBatchSize = projectionBatchSize
            self.host = host
            self.port = port
            self.ingestLimits = ingestLimits
            self.groupCommit = groupCommit
        }
    }

    /// Reported by health; bumped with releases.
    public static let version = "0.1.0"

    public let log: any EventStore
    /// The read models, beside a SQLite log or under `LEADLEDGER_STATE_DIR` for PostgreSQL.
    public let runner: ProjectionRunner
    /// The path prefix of this host's status files (`LedgerSettings.localStateBase`): the reactor's heartbeat and
    /// Telegram status are read there, `serve`'s own status written there.
    public let localState: String
    public let configuration: Configuration
    public let logger: Logger

    /// Replaces the group committer for ingest; only the benchmark's no-storage ceiling sets it.
    let sinkOverride: (any LeadSink)?

    public init(
        log: any EventStore, runner: ProjectionRunner, localState: String, configuration: Configuration, logger: Logger,
        benchmarkSink: (any LeadSink)? = nil
    ) {
        self.log = log
        self.runner = runner
        self.localState = localState
        self.configuration = configuration
        self.logger = logger
        self.sinkOverride = benchmarkSink
    }

    /// Serves until SIGTERM or SIGINT, then stops accepting, finishes in-flight requests, commits what is queued and
    /// returns. `onListening` receives the bound port (useful with port 0). `services` run beside the server and stop
    /// with it (the systemd notifier).
    public func run(services: [any Service] = [], onListening: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        let metrics = ServerMetrics(registry: configuration.metricsRegistry)
        let committer = log.groupCommitter(
            limits: configuration.groupCommit,
            afterCommit: { leads, written in metrics.committed(leads: leads, written: written) })
        defer { committer.shutdown() }
        let log = log
        let runner = runner
        let localState = localState
        let startedAt = SystemClock().now()
        let ingest = IngestEndpoint(
            log: log, sink: sinkOverride ?? committer, limits: configuration.ingestLimits,
            duplicateWindowSeconds: configuration.duplicateWindowSeconds, honeypotField: configuration.honeypotField,
            redirect: FormRedirect(defaultURL: configuration.formRedirectURL, allowedOrigins: configuration.redirectOrigins),
            clock: SystemClock(), metrics: metrics, logger: logger)
        let rules = HealthAssessment.Context(
            crmEnabled: configuration.crmEnabled, telegramEnabled: configuration.telegramEnabled,
            descriptorsPercent: configuration.descriptorsAlertPercent, timeZone: configuration.report.timeZone)
        let frontDoor = configuration.frontDoor
        let admission = ConnectionAdmission(
            limits: .init(
                total: configuration.maxConnections, perClient: frontDoor.maxConnectionsPerClient,
                trustedProxies: frontDoor.trustedProxies))
        let detailed = DetailedHealth(
            log: log, runner: runner, localState: localState,
            context: .init(rules: rules, version: LedgerServer.version, startedAt: startedAt, connections: admission))
        let dashboard = DashboardEndpoint(
            log: log, runner: runner, localState: localState, rules: rules, report: configuration.report,
            adminEnabled: configuration.adminToken != nil, locale: configuration.locale)
        let limiter = ClientRateLimiter(perMinute: configuration.rateLimitPerMinute, burst: configuration.rateLimitBurst)
        // The dashboard, detailed health, metrics and the admin API may read synchronously (a SQLite log, the read
        // models), for up to tens of milliseconds on a large log; they run on one lane of their own (`BlockingLane`).
        let reads = BlockingLane(label: "leadledger.reads", limit: configuration.readQueueLimit)
        let router = Router(context: LedgerRequestContext.self)
        router.add(middleware: RequestMetrics(metrics: metrics))
        router.add(middleware: CORSAllowlist(origins: Set(configuration.corsOrigins), maxAgeSeconds: 600))
        /// Whom the rate limit counts: the peer, or the client a trusted proxy names.
        @Sendable func client(_ request: Request, _ context: LedgerRequestContext) -> String {
            ClientAddress.key(
                peer: context.remoteAddress?.ipAddress.flatMap { NetworkAddress($0) },
                forwardedFor: request.headers.filter { $0.name.canonicalName == "x-forwarded-for" }.map(\.value),
                trusted: frontDoor.trustedProxies)
        }
        router.post("/api/leads") { request, context in
            if limiter.isEnabled,
                let seconds = limiter.retryAfter(client: client(request, context), now: Date().timeIntervalSince1970)
            {
                return JSONResponse.error(
                    .tooManyRequests, "Too many leads from this address; retry in \(seconds) s.",
                    headers: [.retryAfter: "\(seconds)"])
            }
            return await ingest.handle(request)
        }
        // Preflights are answered by the CORS middleware; this route only makes OPTIONS reach it.
        router.on("/api/leads", method: .options) { _, _ in Response(status: .noContent) }
        router.get("/") { _, _ in await reads.respond { await dashboard.handle() } }
        // Liveness is one indexed read, and must not wait behind a dashboard render: it stays off the lane.
        router.get("/api/health") { _, _ in await HealthEndpoint(log: log).liveness() }
        router.get("/openapi.yaml") { _, _ in OpenAPIEndpoint.handle() }
        router.get("/metrics") { _, _ in
            await reads.respond {
                let text = await metrics.render(
                    log: log, runner: runner, localState: localState, committer: committer, connections: admission,
                    startedAt: startedAt)
                return Response(
                    status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                    body: .init(byteBuffer: ByteBuffer(bytes: text)))
            }
        }
        let admin = AdminEndpoint(log: log, runner: runner, token: configuration.adminToken, reportSettings: configuration.report)
        /// Refusal first (no token, wrong token): that needs no lane. A read that must not show stale state catches the
        /// read models up first; that waits on the read-model file's own queue, not on the lane.
        @Sendable func adminRead(
            _ request: Request, caughtUp: Bool = false, _ work: @escaping @Sendable () async -> Response
        ) async -> Response {
            if let refusal = admin.refusal(request) { return refusal }
            if caughtUp, let failed = await admin.catchUp() { return failed }
            return await reads.respond(work)
        }
        router.get("/api/admin/leads/:id") { request, context in
            let id = context.parameters.get("id")
            return await adminRead(request, caughtUp: true) { await admin.lead(id) }
        }
        router.post("/api/admin/leads/:id/requeue") { request, context in
            let id = context.parameters.get("id")
            return await adminRead(request, caughtUp: true) { await admin.requeue(id) }
        }
        router.get("/api/admin/events") { request, _ in await adminRead(request) { await admin.events(request) } }
        router.get("/api/admin/reports/daily") { request, _ in
            await adminRead(request, caughtUp: true) { await admin.dailyReport(request) }
        }
        router.get("/api/health/detailed") { _, _ in
            await reads.respond {
                let (status, object) = await detailed.body(now: SystemClock().now())
                return JSONResponse.make(.init(code: status), object: object)
            }
        }
        // Last: it wraps only the not-found responder (middleware applies to the routes added after it).
        router.add(middleware: RouteFallback(routes: router.routes.map { ($0.path.description, $0.method) }))
        let deadlines = ConnectionDeadlines.Limits(
            header: .init(frontDoor.headerTimeout), body: .init(frontDoor.bodyTimeout), idle: .init(frontDoor.idleTimeout),
            send: .init(frontDoor.sendTimeout))
        let app = Application(
            router: router,
            server: HTTPServerBuilder { responder in
                FrontDoorChannel(
                    responder: responder, deadlines: deadlines, admission: admission, maxHeaders: frontDoor.maxHeaders,
                    maxHeaderBytes: frontDoor.maxHeaderBytes, metrics: metrics)
            },
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "leadledger"),
            services: [
                ProjectorService.make(runner: runner, interval: .milliseconds(500), logger: logger),
                ServeStatusService.make(
                    localState: localState, connections: admission, interval: configuration.statusInterval, logger: logger),
            ] + services,
            onServerRunning: { channel in onListening(channel.localAddress?.port ?? 0) },
            logger: logger)
        try await app.runService()
    }
}
