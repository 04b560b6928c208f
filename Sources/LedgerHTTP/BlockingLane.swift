import Dispatch
import Hummingbird
import Synchronization

/// A thread of its own for read work that may block (SQLite reads and folds), which an async handler would otherwise
/// run on a Swift-concurrency thread, with a bound on the jobs admitted to it.
///
/// Why: the cooperative pool has one thread per core, two on the machines this runs on. A projection batch or a
/// dashboard render that blocks one of them for tens of milliseconds halves the threads that answer ingest, and
/// every lead queued behind it waits. The dashboard over 50,000 leads renders in 50–90 ms (docs/BENCHMARKS.md).
///
/// A job is async: it runs with the lane as its task executor (`withTaskExecutorPreference`), so whatever it calls
/// synchronously (a SQLite read through the storage seam, a read-model fold) blocks the lane's thread and nothing
/// else, while whatever it awaits (a PostgreSQL round trip) suspends and lets the lane run another job meanwhile.
/// `limit` bounds the jobs admitted and not yet finished, so a burst of dashboard views or admin reads is refused
/// (503, `Retry-After`) instead of holding a connection and a task each without bound.
final class BlockingLane: Sendable {
    /// The lane already holds `limit` jobs; the work was not run.
    struct Full: Error, CustomStringConvertible {
        let label: String
        let limit: Int
        var description: String { "\(label): \(limit) jobs already waiting" }
    }

    let label: String
    /// Most jobs admitted at once. The read lane's is `LEADLEDGER_READ_QUEUE_MAX` (default 64).
    let limit: Int
    private let executor: LaneExecutor
    private let admitted = Mutex(0)

    init(label: String, limit: Int) {
        precondition(limit > 0, "a lane's limit must be positive")
        self.label = label
        self.limit = limit
        executor = LaneExecutor(queue: DispatchQueue(label: label))
    }

    /// Jobs admitted and not yet finished.
    var load: Int { admitted.withLock { $0 } }

    /// Runs `work` on the lane and returns its result; the calling task is suspended, not blocked, meanwhile.
    /// Throws `Full`, without running `work`, when `limit` jobs are already admitted.
    func run<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) async throws -> T {
        guard admit() else { throw Full(label: label, limit: limit) }
        defer { release() }
        return try await withTaskExecutorPreference(executor) { try await work() }
    }

    /// For routes: the work's response, or 503 with `Retry-After` when the lane is full.
    func respond(_ work: @escaping @Sendable () async -> Response) async -> Response {
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

/// Runs a lane's jobs on its serial Dispatch queue: one thread, one job step at a time.
private final class LaneExecutor: TaskExecutor {
    private let queue: DispatchQueue

    init(queue: DispatchQueue) { self.queue = queue }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }
}
