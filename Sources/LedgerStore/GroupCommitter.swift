import Foundation
import LedgerCore

/// Group commit: many concurrent callers, one transaction and one fsync per batch.
///
/// Why: with `synchronous=FULL` every commit waits for the disk (hundreds of microseconds on an SSD, milliseconds on
/// a cloud volume). If every ingest request committed alone, the disk would cap ingest at its fsync rate. Here a single
/// writer thread takes everything that queued while the previous batch was being written, commits it in one
/// `receive` call, and only then resumes each caller with its own receipt. No artificial delay is added: under light
/// load a batch is one lead, under heavy load batches grow by themselves (the classic "natural" group commit).
///
/// - Important: a caller is resumed only after its batch has committed, so a receipt always means "durable". When
///   the batch fails, every caller in it gets the error (ingest answers 503) and nothing of that batch is in the log.
public final class GroupCommitter: Sendable {
    /// Bounds of the queue and of one batch.
    public struct Limits: Sendable {
        /// Most leads committed in one transaction. `LEADLEDGER_GROUP_COMMIT_MAX_BATCH`, default 256.
        public var maxBatch: Int = 256
        /// Most leads waiting for a commit; one more is refused at once with `overloaded` (ingest: 503), so memory
        /// never grows without bound when the disk stalls. `LEADLEDGER_GROUP_COMMIT_MAX_QUEUED`, default 4096.
        public var maxQueued: Int = 4096

        public init(maxBatch: Int = 256, maxQueued: Int = 4096) {
            self.maxBatch = maxBatch
            self.maxQueued = maxQueued
        }
    }

    /// What the committer has done; for tests, metrics and the benchmark.
    public struct Statistics: Sendable, Equatable {
        public var batches = 0
        public var leads = 0
        public var largestBatch = 0
        public var failedBatches = 0

        public init() {}
    }

    public let log: EventLog
    public let limits: Limits
    private let queue: WorkQueue

    /// - Parameters:
    ///   - beforeCommit: called on the writer thread with the batch size just before each commit; tests use it to hold
    ///     the writer and make batching deterministic.
    ///   - afterCommit: called on the writer thread after each committed transaction with the leads it carried and the
    ///     events it wrote (fewer when some were duplicates); metrics count batches with it. Must not block.
    public init(
        log: EventLog, limits: Limits = Limits(), beforeCommit: (@Sendable (Int) -> Void)? = nil,
        afterCommit: (@Sendable (_ leads: Int, _ written: Int) -> Void)? = nil
    ) {
        precondition(limits.maxBatch > 0 && limits.maxQueued > 0, "group commit limits must be positive")
        self.log = log
        self.limits = limits
        self.queue = WorkQueue(log: log, limits: limits, beforeCommit: beforeCommit, afterCommit: afterCommit)
        queue.start()
    }

    /// Records `lead` and returns its receipt once the batch holding it has committed.
    ///
    /// The lead is prepared (sealed, encoded, fingerprinted) here, on the caller's thread: that costs more CPU than
    /// the transaction, and done by many requests at once it keeps the writer thread's serial work to the
    /// transaction itself.
    /// A lead that cannot be prepared fails alone, before it is queued.
    public func receive(_ lead: NewLead) async throws -> LeadReceipt {
        let prepared = try log.prepare(lead)
        return try await withCheckedThrowingContinuation { continuation in
            if let refusal = queue.enqueue(prepared, continuation) {
                continuation.resume(throwing: refusal)
            }
        }
    }

    public var statistics: Statistics { queue.statistics }

    /// Leads waiting for a commit now (for tests and the queue-depth metric).
    public var queued: Int { queue.queued }

    /// Refuses new leads, commits what is queued, and stops the writer thread. Idempotent.
    public func shutdown() {
        queue.shutdown()
    }

    deinit {
        queue.shutdown()
    }
}

/// Why a lead was not accepted into the queue.
public enum GroupCommitError: Error, Equatable, CustomStringConvertible {
    /// `maxQueued` leads are already waiting: the disk is not keeping up.
    case overloaded(queued: Int)
    /// The committer is shutting down.
    case shuttingDown

    public var description: String {
        switch self {
        case .overloaded(let queued): "ingest queue full (\(queued) leads waiting for the disk)"
        case .shuttingDown: "the server is shutting down"
        }
    }
}

/// The queue and the writer thread, behind one condition variable.
private final class WorkQueue: @unchecked Sendable {
    // @unchecked Sendable because every mutable field is accessed only while holding `condition`.
    typealias Waiter = CheckedContinuation<LeadReceipt, any Error>

    private let condition = NSCondition()
    private var pending: [(PreparedLead, Waiter)] = []
    private var stopping = false
    private var stopped = false
    private var stats = GroupCommitter.Statistics()
    private let log: EventLog
    private let limits: GroupCommitter.Limits
    private let beforeCommit: (@Sendable (Int) -> Void)?
    private let afterCommit: (@Sendable (Int, Int) -> Void)?

    init(
        log: EventLog, limits: GroupCommitter.Limits, beforeCommit: (@Sendable (Int) -> Void)?,
        afterCommit: (@Sendable (Int, Int) -> Void)?
    ) {
        self.log = log
        self.limits = limits
        self.beforeCommit = beforeCommit
        self.afterCommit = afterCommit
    }

    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "leadledger.group-commit"
        thread.start()
    }

    /// Queues the lead, or returns why it cannot be queued.
    func enqueue(_ lead: PreparedLead, _ waiter: Waiter) -> GroupCommitError? {
        condition.lock()
        defer { condition.unlock() }
        if stopping { return .shuttingDown }
        if pending.count >= limits.maxQueued { return .overloaded(queued: pending.count) }
        pending.append((lead, waiter))
        condition.signal()
        return nil
    }

    var queued: Int {
        condition.lock()
        defer { condition.unlock() }
        return pending.count
    }

    var statistics: GroupCommitter.Statistics {
        condition.lock()
        defer { condition.unlock() }
        return stats
    }

    func shutdown() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while !stopped { condition.wait() }
        condition.unlock()
    }

    private func run() {
        while let batch = nextBatch() {
            beforeCommit?(batch.count)
            commit(batch)
        }
    }

    /// One transaction for the batch; every caller gets its receipt, or the batch's error. A lead the log would
    /// refuse never gets here: `receive` prepares (validates) it before queueing, so one bad lead cannot fail a batch.
    private func commit(_ batch: [(PreparedLead, Waiter)]) {
        do {
            let receipts = try log.receive(prepared: batch.map(\.0))
            precondition(receipts.count == batch.count, "group commit: \(receipts.count) receipts for \(batch.count) leads")
            record(batch.count, failed: false)
            afterCommit?(batch.count, receipts.count { !$0.duplicate })
            for ((_, waiter), receipt) in zip(batch, receipts) { waiter.resume(returning: receipt) }
        } catch {
            record(batch.count, failed: true)
            for (_, waiter) in batch { waiter.resume(throwing: error) }
        }
    }

    /// Blocks until there is work; nil once stopping and drained.
    private func nextBatch() -> [(PreparedLead, Waiter)]? {
        condition.lock()
        defer { condition.unlock() }
        while pending.isEmpty {
            if stopping {
                stopped = true
                condition.broadcast()
                return nil
            }
            condition.wait()
        }
        let count = min(limits.maxBatch, pending.count)
        let batch = Array(pending.prefix(count))
        pending.removeFirst(count)
        return batch
    }

    private func record(_ size: Int, failed: Bool) {
        condition.lock()
        defer { condition.unlock() }
        stats.batches += 1
        stats.leads += size
        stats.largestBatch = max(stats.largestBatch, size)
        if failed { stats.failedBatches += 1 }
    }
}
