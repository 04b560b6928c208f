import Dispatch
import Hummingbird
import Synchronization

/// A serial Dispatch queue for blocking work (SQLite reads and folds) that an async handler or service would
/// otherwise run on a Swift-concurrency thread, with a bound on the jobs waiting for it.
///
/// Why: the cooperative pool has one thread per core, two on the machines this runs on. A projection batch or a
/// dashboard render that blocks one of them for tens of milliseconds halves the threads that answer ingest, and
/// every lead queued behind it waits. The dashboard over 50,000 leads renders in 50–90 ms (docs/BENCHMARKS.md); the
/// wrk benchmark, whose folds are small, showed no change in the tail from this move. A lane runs such work on a
/// thread of its own, one job at a time; `limit` bounds the jobs queued or running, so a burst of dashboard views
/// or admin reads is refused (503, `Retry-After`) instead of holding a connection and a task each without bound.
final class BlockingLane: Sendable {
    /// The lane already holds `limit` jobs; the work was not run.
    struct Full: Error, CustomStringConvertible {
        let label: String
        let limit: Int
        var description: String { "\(label): \(limit) jobs already waiting" }
    }

    let label: String
    /// Most jobs queued or running at once. The read lane's is `LEADLEDGER_READ_QUEUE_MAX` (default 64).
    let limit: Int
    private let queue: DispatchQueue
    private let admitted = Mutex(0)

    init(label: String, limit: Int) {
        precondition(limit > 0, "a lane's limit must be positive")
        self.label = label
        self.limit = limit
        queue = DispatchQueue(label: label)
    }

    /// Jobs queued or running now.
    var load: Int { admitted.withLock { $0 } }

    /// Runs `work` on the lane and returns its result; the calling task is suspended, not blocked, meanwhile.
    /// Throws `Full`, without running `work`, when `limit` jobs are already queued or running.
    func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        guard admit() else { throw Full(label: label, limit: limit) }
        return try await withCheckedThrowingContinuation { continuation in
            queue.async {
                let result = Result { try work() }
                self.release()
                continuation.resume(with: result)
            }
        }
    }

    /// For routes: the work's response, or 503 with `Retry-After` when the lane is full.
    func respond(_ work: @escaping @Sendable () -> Response) async -> Response {
        do {
            return try await run(work)
        } catch {
            return JSONResponse.error(
                .serviceUnavailable, "Busy: \(limit) reads are already waiting; retry shortly.",
                headers: [.retryAfter: "1"])
        }
    }

    private func admit() -> Bool {
        admitted.withLock { count in
            guard count < limit else { return false }
            count += 1
            return true
        }
    }

    private func release() {
        admitted.withLock { $0 -= 1 }
    }
}
