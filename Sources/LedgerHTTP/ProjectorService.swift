import Foundation
import LedgerProjections
import Logging
import ServiceLifecycle

/// Keeps the read models (queue, health, cost report) following the log while `serve` runs, so health answers from
/// fresh projections without ever folding inside a request. A failing projection is logged and retried next tick;
/// it never stops ingest. Folding runs on its own lane, never on a Swift-concurrency thread that answers requests.
struct ProjectorService: Service {
    let runner: ProjectionRunner
    /// Pause between catch-ups. Default 500 ms.
    let interval: Duration
    let logger: Logger
    /// One catch-up at a time by construction (the loop awaits each), so the bound is never reached.
    let lane = BlockingLane(label: "leadledger.projector", limit: 1)

    func run() async throws {
        let runner = self.runner
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                _ = try await lane.run { try runner.catchUp() }
            } catch {
                logger.error("projection stopped: \(error)")
            }
            try? await Task.sleep(for: interval)
        }
    }
}
