import Dispatch

/// A serial Dispatch queue for blocking work (SQLite reads and folds) that an async handler or service would
/// otherwise run on a Swift-concurrency thread.
///
/// Why: the cooperative pool has one thread per core, two on the machines this runs on. A projection batch or a
/// dashboard render that blocks one of them for tens of milliseconds halves the threads that answer ingest, and
/// every lead queued behind it waits. The dashboard over 50,000 leads renders in 50–90 ms (docs/BENCHMARKS.md); the
/// wrk benchmark, whose folds are small, showed no change in the tail from this move. A lane runs such work on a
/// thread of its own, one job at a time, so it is bounded too: a burst of dashboard views queues here instead of
/// taking threads.
struct BlockingLane: Sendable {
    private let queue: DispatchQueue

    init(label: String) {
        queue = DispatchQueue(label: label)
    }

    /// Runs `work` on the lane and returns its result; the calling task is suspended, not blocked, meanwhile.
    func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try work() }) }
        }
    }

    /// The non-throwing form, for handlers that turn every failure into a response themselves.
    func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: work()) }
        }
    }
}
