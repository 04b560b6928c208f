import LedgerProjections
import Logging

/// Keeps the read models (queue, health, cost report) following the log while `serve` runs, so health answers from
/// fresh projections without ever folding inside a request. A failing projection is logged and retried next tick;
/// it never stops ingest. The runner waits on GRDB's own queues (the log's readers, the read-model file's writer),
/// never holding a Swift-concurrency thread that answers requests.
enum ProjectorService {
    /// Catches up every `interval` (500 ms in `serve`).
    static func make(runner: ProjectionRunner, interval: Duration, logger: Logger) -> PeriodicService {
        PeriodicService(name: "projection", interval: interval, logger: logger) {
            _ = try await runner.catchUp()
        }
    }
}
