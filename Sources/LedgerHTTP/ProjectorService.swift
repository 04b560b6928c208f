import LedgerProjections
import Logging

/// Keeps the read models (queue, health, cost report) following the log while `serve` runs, so health answers from
/// fresh projections without ever folding inside a request. A failing projection is logged and retried next tick;
/// it never stops ingest. Folding runs on its own lane, never on a Swift-concurrency thread that answers requests.
enum ProjectorService {
    /// Catches up every `interval` (500 ms in `serve`). The lane holds one catch-up at a time, which is all the
    /// loop ever asks of it.
    static func make(runner: ProjectionRunner, interval: Duration, logger: Logger) -> PeriodicService {
        let lane = BlockingLane(label: "leadledger.projector", limit: 1)
        return PeriodicService(name: "projection", interval: interval, logger: logger) {
            _ = try await lane.run { try runner.catchUp() }
        }
    }
}
