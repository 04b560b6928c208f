import ArgumentParser
import Foundation
import LedgerAmoCRM
import LedgerCore
import LedgerHTTP
import LedgerProjections
import LedgerReactor
import LedgerStore
import LedgerTelegram
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import UnixSignals

/// `leadledger react`: delivers queued leads to AmoCRM; one reactor per log.
struct ReactCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "react",
        abstract:
            "Run the reactor: send due leads to AmoCRM from the projected retry queue, record every outcome, raise and deliver alerts, produce the nightly report.",
        discussion: """
            Only one reactor may run per log (a lock file beside it); a second exits with status 3. Without \
            LEADLEDGER_AMOCRM_BASE_URL, sync is disabled: leads wait safely in the queue. Yesterday's lost-lead cost \
            report is produced once a day at LEADLEDGER_REPORT_AT (missed days of the last week on start), written to \
            LEADLEDGER_REPORTS_DIR and summarised to Telegram. Stops on SIGTERM/SIGINT.
            """)

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let settings = try await global.settings()
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return handler
        }
        let logger = Logger(label: "leadledger.react")
        logger.info("\(Descriptors.raiseSoftLimitToHard())")
        let log = try await global.openStore(settings, create: true)
        let localState = settings.localStateBase
        let lock: ReactorLock
        do {
            lock = try ReactorLock(logPath: localState)
        } catch {
            throw ExitStatus.runtime("react: \(error)")
        }
        let run = try await ProcessRun.begin(.react, log: log, settings: settings)
        let (readiness, ready) = AsyncStream.makeStream(of: String.self)
        ready.yield(settings.amoCRM == nil ? "CRM sync disabled; alerts on" : "syncing to AmoCRM")
        let systemd = SystemdNotifyService(notifier: SystemdNotifier(), log: log, readiness: readiness, logger: logger)
        guard let crm = settings.amoCRM else {
            writeOut("leadledger react: CRM sync disabled (LEADLEDGER_AMOCRM_BASE_URL not set); leads wait in the queue\n")
            let runner = try global.readModels(log, settings)
            let alerts = AlertService(
                log: log, runner: runner, localState: localState, settings: settings.alerts, circuit: { nil },
                logger: logger)
            var services: [any Service] = [alerts, reports(log, runner, settings, logger)]
            if let systemd { services.append(systemd) }
            if let delivery = try alertDelivery(log, runner, settings, logger) { services.append(delivery) }
            if let metrics = metricsServer(settings, logger) { services.append(metrics) }
            try await ServiceGroup(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger).run()
            await run.end()
            await log.close()
            withExtendedLifetime(lock) {}
            return
        }
        let connection: AmoCRMConnection
        do {
            connection = try AmoCRMConnection(crm, logPath: localState, logger: logger)
        } catch {
            throw ExitStatus.runtime("react: the saved AmoCRM tokens cannot be read: \(error)")
        }
        let client = connection.client
        var configuration = SyncEngine.Configuration(
            batchSize: crm.batchSize, cautiousBatchSize: crm.cautiousBatchSize,
            mapping: LeadMapping(pipelineID: crm.pipelineID, statusID: crm.statusID, layout: crm.layout),
            schedule: crm.retryDelaysSeconds.map(RetrySchedule.standard(delaysSeconds:)) ?? .standard,
            breaker: .init(
                failureThreshold: crm.breakerFailures, firstProbeInterval: .seconds(crm.probeSeconds),
                maxProbeInterval: .seconds(max(300, crm.probeSeconds)), blockedProbeInterval: .seconds(crm.banProbeSeconds)),
            requestsPerSecond: crm.requestsPerSecond)
        configuration.reconcilePages = crm.reconcilePages
        configuration.reconcileChecks = crm.reconcileChecks
        configuration.locale = settings.alerts.locale
        let runner = try global.readModels(log, settings)
        let engine = SyncEngine(
            log: log, runner: runner, client: client, configuration: configuration, vault: connection.vault,
            logger: logger)
        let alerts = AlertService(
            log: log, runner: runner, localState: localState, settings: settings.alerts,
            circuit: { await engine.breakerState }, logger: logger)
        var services: [any Service] = [
            ReactorService(engine: engine, localState: localState, logger: logger), alerts,
            reports(log, runner, settings, logger),
        ]
        if let systemd { services.append(systemd) }
        if let delivery = try alertDelivery(log, runner, settings, logger) { services.append(delivery) }
        if let metrics = metricsServer(settings, logger) { services.append(metrics) }
        writeOut("leadledger react: sending to \(crm.baseURL.absoluteString)\n")
        do {
            try await ServiceGroup(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger).run()
        } catch {
            await client.shutdown()
            throw ExitStatus.runtime("react: \(error)")
        }
        await client.shutdown()
        await run.end()
        await log.close()
        withExtendedLifetime(lock) {}
    }

    /// `react`'s own `/metrics` when `LEADLEDGER_REACT_METRICS_PORT` is set: swift-metrics goes to a Prometheus
    /// registry that this server renders.
    private func metricsServer(_ settings: LedgerSettings, _ logger: Logger) -> (any Service)? {
        guard let port = settings.reactMetricsPort else { return nil }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let host = settings.host
        return MetricsOnlyServer.make(host: host, port: port, registry: registry, logger: logger) { bound in
            writeOut("leadledger react: metrics on http://\(host):\(bound)/metrics\n")
        }
    }

    /// The nightly report: produced at `LEADLEDGER_REPORT_AT` (and caught up at start), files under
    /// `LEADLEDGER_REPORTS_DIR`. A directory that cannot be created is said now, by its key; the reactor runs on (CRM
    /// delivery matters more than a report file) and the scheduler keeps trying.
    private func reports(
        _ log: any EventStore, _ runner: ProjectionRunner, _ settings: LedgerSettings, _ logger: Logger
    ) -> ReportService {
        do {
            try FileManager.default.createDirectory(atPath: settings.reportsDirectory, withIntermediateDirectories: true)
        } catch {
            logger.error("LEADLEDGER_REPORTS_DIR=\(settings.reportsDirectory) cannot be created: \(error)")
        }
        let scheduler = ReportScheduler(
            log: log, runner: runner,
            schedule: ReportSchedule(hour: settings.reportAt.hour, minute: settings.reportAt.minute, timeZone: settings.timeZone),
            files: ReportFiles(directory: settings.reportsDirectory), settings: settings.costReport, logger: logger)
        return ReportService(scheduler: scheduler, logger: logger)
    }

    /// Telegram delivery of alerts, in its own service with its own client; nil when Telegram is not configured (the
    /// alerts are still recorded, and health says they are not delivered).
    private func alertDelivery(_ log: any EventStore, _ runner: ProjectionRunner, _ settings: LedgerSettings, _ logger: Logger)
        throws -> AlertDeliveryService?
    {
        guard let telegram = settings.telegram else {
            logger.notice("alerts are recorded, not delivered: LEADLEDGER_TELEGRAM_BOT_TOKEN not set")
            return nil
        }
        let store = runner.store
        let deliverer = try AlertDeliverer(
            log: log, localState: settings.localStateBase,
            client: TelegramClient(telegram: telegram, alerts: settings.alerts, logger: logger),
            chatID: telegram.chatID, settings: settings.alerts, locale: settings.locale, timeZone: settings.timeZone,
            waitingLeads: {
                (try? HealthView.load(store, now: SystemClock().now())).map { Int($0.queue.pending + $0.queue.inFlight) }
            },
            logger: logger)
        return AlertDeliveryService(deliverer: deliverer, logger: logger)
    }
}
