import LedgerCore
import LedgerProjections
import LedgerStore
import Logging
import ServiceLifecycle

/// Evaluates the alert rules every `LEADLEDGER_ALERT_CHECK_S` and records what changed: `AlertRaised` for a new
/// condition, `AlertResolved` for one that cleared. Runs in `react` beside the sync loop, also when CRM sync is
/// disabled (a queue that only grows is exactly what the owner must hear about). A failed evaluation is logged and
/// tried again; it never stops the reactor.
public struct AlertService: Service {
    let log: any EventStore
    let runner: ProjectionRunner
    /// The path prefix of this host's status files (`serve`'s status is read there) and of the disk watched.
    let localState: String
    let settings: AlertSettings
    /// The circuit breaker's state, or nil when CRM sync is disabled.
    let circuit: @Sendable () async -> String?
    let clock: any LedgerClock
    let logger: Logger

    public init(
        log: any EventStore, runner: ProjectionRunner, localState: String, settings: AlertSettings,
        circuit: @escaping @Sendable () async -> String?, clock: any LedgerClock = SystemClock(), logger: Logger
    ) {
        self.log = log
        self.runner = runner
        self.localState = localState
        self.settings = settings
        self.circuit = circuit
        self.clock = clock
        self.logger = logger
    }

    public func run() async throws {
        var tracker = StallTracker()
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let written = try await evaluate(&tracker)
                for event in written { logger.notice("alert: \(event.type.rawValue) \(Self.describe(event))") }
            } catch {
                logger.error("alert evaluation failed: \(error)")
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(settings.checkSeconds)) }
        }
    }

    /// One evaluation: fold what is new, look, and append the changes. Returns what was written.
    @discardableResult
    public func evaluate(_ tracker: inout StallTracker) async throws -> [LedgerEvent] {
        // A projection that cannot fold must not silence the rules: the stall rule is how it gets reported.
        do { try await runner.catchUp() } catch { logger.error("projections cannot fold: \(error)") }
        let now = clock.now()
        let head = try await log.head()
        let inputs = AlertInputs(
            health: try HealthView.load(runner.store, now: now), circuit: await circuit(),
            freeDiskBytes: HostFacts.freeDiskBytes(forLog: localState),
            memory: HostFacts.memory(fallbackLimit: Int64(settings.memoryLimitMegabytes) * 1_048_576),
            stalledProjectors: tracker.observe(try runner.status(head: head?.seq ?? 0), now: now).filter {
                $0.value >= Int64(settings.projectorStallSeconds)
            }, descriptors: descriptors(now: now))
        let events = AlertBook.changes(
            open: try await log.openAlerts(), conditions: AlertRules.evaluate(inputs, settings), now: now, locale: settings.locale
        )
        guard !events.isEmpty else { return [] }
        try await log.append(events.map { PendingEvent($0) })
        ReactorMetrics.recorded(events)
        return events
    }

    /// This reactor's descriptors, and `serve`'s from its status file while that is fresh: a `serve` that stopped
    /// writing is not running, and its last figures are no longer true.
    private func descriptors(now: Timestamp) -> [AlertInputs.ProcessDescriptors] {
        var processes: [AlertInputs.ProcessDescriptors] = []
        if let serve = ServeStatus.read(forLog: localState),
            now.millisecondsSinceEpoch - serve.updatedAt.millisecondsSinceEpoch <= Self.serveStatusFreshMilliseconds
        {
            processes.append(.init(process: .serve, open: serve.openDescriptors, limit: serve.maxDescriptors))
        }
        if let open = Descriptors.open() {
            processes.append(.init(process: .react, open: open, limit: Descriptors.limit()))
        }
        return processes
    }

    /// `serve` writes its status every 2 s; ten times that without a new one means it is gone.
    static let serveStatusFreshMilliseconds: Int64 = 20_000

    private static func describe(_ event: LedgerEvent) -> String {
        switch event {
        case .alertRaised(let alert): "\(alert.kind): \(alert.message)"
        case .alertResolved(let resolved): "\(resolved.kind): \(resolved.message)"
        default: ""
        }
    }
}
