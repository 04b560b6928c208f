import Foundation
import LedgerProjections
import Logging
import ServiceLifecycle

/// Keeps the read models (queue, health, cost report) following the log while `serve` runs, so health answers from
/// fresh projections without ever folding inside a request. A failing projection is logged and retried next tick;
/// it never stops ingest.
struct ProjectorService: Service {
    let runner: ProjectionRunner
    /// Pause between catch-ups. Default 500 ms.
    let interval: Duration
    let logger: Logger

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try runner.catchUp()
            } catch {
                logger.error("projection stopped: \(error)")
            }
            try? await Task.sleep(for: interval)
        }
    }
}
