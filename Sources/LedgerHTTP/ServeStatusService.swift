import Foundation
import LedgerCore
import LedgerStore
import Logging

/// Writes `serve`'s descriptor and connection figures among this host's status files (`ServeStatus`) every `interval`, so `react`,
/// which raises the alerts, can judge them; a write that fails is logged and tried again next tick.
enum ServeStatusService {
    static func make(localState: String, connections: ConnectionAdmission, interval: Duration, logger: Logger) -> PeriodicService
    {
        PeriodicService(name: "serve status", interval: interval, logger: logger) {
            try ServeStatus(
                pid: getpid(), updatedAt: SystemClock().now(), openDescriptors: Descriptors.open() ?? 0,
                maxDescriptors: Descriptors.limit(), openConnections: connections.open,
                maxConnections: connections.limits.total
            ).write(forLog: localState)
        }
    }
}
