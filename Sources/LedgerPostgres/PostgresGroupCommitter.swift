import LedgerCore
import LedgerStore
import Synchronization

/// Group commit on PostgreSQL: many concurrent callers, one transaction per batch, each caller resumed with its own
/// receipt only after COMMIT returned.
///
/// The SQLite committer's rule, on async: one batch is in flight at a time (appends are serialised by the append
/// lock anyway, so a second one would only wait for it), and everything that queued while it ran is the next batch.
/// No delay is added: under light load a batch is one lead, under heavy load batches grow by themselves. A failed
/// batch fails every caller in it (ingest answers 503) and nothing of it is in the log.
public final class PostgresGroupCommitter: LeadCommitter {
    public typealias Limits = GroupCommitter.Limits
    public typealias Statistics = GroupCommitter.Statistics
    private typealias Waiter = CheckedContinuation<LeadReceipt, any Error>

    private struct State {
        var pending: [(PreparedLead, Waiter)] = []
        var committing = false
        var stopping = false
        var statistics = Statistics()
    }

    public let log: PostgresEventLog
    public let limits: Limits
    private let afterCommit: AfterCommit?
    private let state = Mutex(State())

    public init(log: PostgresEventLog, limits: Limits = Limits(), afterCommit: AfterCommit? = nil) {
        precondition(limits.maxBatch > 0 && limits.maxQueued > 0, "group commit limits must be positive")
        self.log = log
        self.limits = limits
        self.afterCommit = afterCommit
    }

    /// Records `lead` and returns its receipt once the batch holding it has committed. The lead is prepared here,
    /// on the caller's task, so the serial part is the transaction alone.
    public func receive(_ lead: NewLead) async throws -> LeadReceipt {
        let prepared = try log.prepare(lead)
        return try await withCheckedThrowingContinuation { continuation in
            let outcome = state.withLock { state -> (refusal: GroupCommitError?, start: Bool) in
                if state.stopping { return (.shuttingDown, false) }
                guard state.pending.count < limits.maxQueued else { return (.overloaded(queued: state.pending.count), false) }
                state.pending.append((prepared, continuation))
                guard !state.committing else { return (nil, false) }
                state.committing = true
                return (nil, true)
            }
            if let refusal = outcome.refusal {
                continuation.resume(throwing: refusal)
            } else if outcome.start {
                Task { await self.drain() }
            }
        }
    }

    public var statistics: Statistics { state.withLock { $0.statistics } }

    /// Leads waiting for a commit now.
    public var queued: Int { state.withLock { $0.pending.count } }

    /// Refuses new leads; what is queued is still committed. Idempotent.
    public func shutdown() {
        state.withLock { $0.stopping = true }
    }

    /// Commits batches until nothing is queued, then hands the next caller the job of starting again.
    private func drain() async {
        while true {
            let batch = state.withLock { state -> [(PreparedLead, Waiter)] in
                let batch = Array(state.pending.prefix(limits.maxBatch))
                state.pending.removeFirst(batch.count)
                if batch.isEmpty { state.committing = false }
                return batch
            }
            guard !batch.isEmpty else { return }
            do {
                let receipts = try await log.receive(prepared: batch.map(\.0))
                state.withLock { state in
                    state.statistics.batches += 1
                    state.statistics.leads += batch.count
                    state.statistics.largestBatch = max(state.statistics.largestBatch, batch.count)
                }
                afterCommit?(batch.count, receipts.count { !$0.duplicate })
                for ((_, waiter), receipt) in zip(batch, receipts) { waiter.resume(returning: receipt) }
            } catch {
                state.withLock { $0.statistics.failedBatches += 1 }
                for (_, waiter) in batch { waiter.resume(throwing: error) }
            }
        }
    }
}
