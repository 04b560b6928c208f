import ArgumentParser
import Foundation
import LedgerCore
import LedgerHTTP
import LedgerIngest
import LedgerProjections
import LedgerStore
import Logging
import Metrics
import Prometheus

/// `leadledger serve`: the HTTP ingest server. Never calls AmoCRM.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract:
            "Run the HTTP server: POST /api/leads, GET /api/health and /api/health/detailed, /api/admin/*, the dashboard at GET /. Never calls AmoCRM.",
        discussion:
            "Prints 'listening on http://HOST:PORT' once ready (LEADLEDGER_PORT=0 picks a free port). Stops gracefully on SIGTERM/SIGINT."
    )

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let settings = try await global.settings()
        let log = try await global.openStore(settings, create: true)
        let runner = try global.readModels(log, settings)
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return handler
        }
        let logger = Logger(label: "leadledger.serve")
        let descriptors = Descriptors.raiseSoftLimitToHard()
        logger.info("\(descriptors)")
        let descriptorLimit = Descriptors.limit()
        guard let maxConnections = settings.frontDoor.connectionCap(descriptorLimit: descriptorLimit) else {
            let problem = settings.frontDoor.connectionCapProblem(descriptorLimit: descriptorLimit) ?? ""
            throw ExitStatus.runtime("serve: LEADLEDGER_MAX_CONNECTIONS \(problem)")
        }
        logger.info("at most \(maxConnections) connections, \(settings.frontDoor.maxConnectionsPerClient) per client address")
        var configuration = LedgerServer.Configuration(
            host: settings.host, port: settings.port, crmEnabled: settings.amoCRM != nil,
            telegramEnabled: settings.telegram != nil, projectionBatchSize: settings.projectionBatchSize,
            duplicateWindowSeconds: settings.duplicateWindowSeconds, adminToken: settings.adminToken,
            report: settings.costReport)
        configuration.locale = settings.locale
        configuration.corsOrigins = settings.corsOrigins
        configuration.rateLimitPerMinute = settings.rateLimitPerMinute
        configuration.rateLimitBurst = settings.rateLimitBurst
        configuration.honeypotField = settings.honeypotField
        configuration.formRedirectURL = settings.formRedirectURL
        configuration.redirectOrigins = settings.redirectOrigins
        configuration.readQueueLimit = settings.readQueueMax
        configuration.frontDoor = settings.frontDoor
        configuration.maxConnections = maxConnections
        configuration.descriptorsAlertPercent = settings.alerts.descriptorsPercent
        configuration.ingestLimits.maxBodyBytes = settings.maxBodyBytes
        configuration.ingestLimits.maxCommentBytes = settings.maxCommentBytes
        configuration.ingestLimits.maxExtraFields = settings.maxExtraFields
        configuration.groupCommit = .init(maxBatch: settings.groupCommitMaxBatch, maxQueued: settings.groupCommitMaxQueued)
        // One registry for our metrics and for anything reporting through swift-metrics: one /metrics page.
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        configuration.metricsRegistry = registry
        let server = LedgerServer(
            log: log, runner: runner, localState: settings.localStateBase, configuration: configuration, logger: logger)
        let host = settings.host
        let run = try await ProcessRun.begin(.serve, log: log, settings: settings)
        let (readiness, ready) = AsyncStream.makeStream(of: String.self)
        let systemd = SystemdNotifyService(notifier: SystemdNotifier(), log: log, readiness: readiness, logger: logger)
        do {
            try await server.run(services: systemd.map { [$0] } ?? []) { port in
                writeOut("leadledger serve: listening on http://\(host):\(port)\n")
                ready.yield("listening on \(host):\(port)")
            }
        } catch {
            await log.close()
            throw ExitStatus.runtime("serve: \(error)")
        }
        await run.end()
        await log.close()
    }
}
