import Foundation
import LedgerCore
import LedgerStore
import Logging
import ServiceLifecycle

/// Writes `serve`'s descriptor and connection figures beside the log (`ServeStatus`) every `interval`, so `react`,
/// which raises the alerts, can judge them; a write that fails is logged and tried again next tick.
struct ServeStatusService: Service {
    let log: EventLog
    let connections: ConnectionAdmission
    let interval: Duration
    let logger: Logger

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let status = ServeStatus(
                pid: getpid(), updatedAt: SystemClock().now(), openDescriptors: Descriptors.open() ?? 0,
                maxDescriptors: Descriptors.limit(), openConnections: connections.open,
                maxConnections: connections.limits.total)
            do {
                try status.write(forLog: log.path)
            } catch {
                logger.warning("serve status not written: \(error)")
            }
            try? await Task.sleep(for: interval)
        }
    }
}
