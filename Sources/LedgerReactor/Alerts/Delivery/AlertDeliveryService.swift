import LedgerCore
import Logging
import ServiceLifecycle

/// Runs `AlertDeliverer` in `react` when Telegram is configured: a pass every `pollInterval`, in its own task with its
/// own HTTP client, so a hung or refusing Telegram never delays CRM work (and CRM work never delays an alert). A
/// failed pass (the log busy) is logged and tried again; it never ends the reactor. On shutdown an in-flight send is
/// cancelled: its alerts stay pending and go out after the restart (rarely twice, if Telegram had it already).
public struct AlertDeliveryService: Service {
    let deliverer: AlertDeliverer
    let pollInterval: Duration
    let logger: Logger

    public init(deliverer: AlertDeliverer, pollInterval: Duration = .seconds(1), logger: Logger) {
        self.deliverer = deliverer
        self.pollInterval = pollInterval
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let pass = try await cancelWhenGracefulShutdown { try await deliverer.deliverPending() }
                if pass != DeliveryPass() {
                    logger.notice(
                        "alerts to Telegram: \(pass.sent) sent in \(pass.messages) message(s), \(pass.suppressed) suppressed, \(pass.undeliverable) undeliverable"
                    )
                }
            } catch {
                if !Task.isShuttingDownGracefully { logger.error("alert delivery pass failed: \(error)") }
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: pollInterval) }
        }
        await deliverer.shutdown()
    }
}
