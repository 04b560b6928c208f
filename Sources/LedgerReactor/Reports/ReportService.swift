import LedgerCore
import Logging
import ServiceLifecycle

/// Runs `ReportScheduler` inside `react`: a pass at start (the catch-up) and then every `pollInterval` (30 s), or at
/// the scheduled time when that comes sooner. A failed pass (the log busy, the read models unreadable) is logged and
/// tried again on the next one; it never ends the reactor.
public struct ReportService: Service {
    let scheduler: ReportScheduler
    let pollInterval: Duration
    let logger: Logger

    public init(scheduler: ReportScheduler, pollInterval: Duration = .seconds(30), logger: Logger) {
        self.scheduler = scheduler
        self.pollInterval = pollInterval
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await scheduler.pass()
            } catch {
                if !Task.isShuttingDownGracefully { logger.error("report pass failed (tried again shortly): \(error)") }
            }
            let untilDue = scheduler.nextDueAt().millisecondsSinceEpoch - scheduler.clock.now().millisecondsSinceEpoch
            let wait = min(pollInterval.milliseconds, max(1000, untilDue))
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(wait)) }
        }
    }
}
