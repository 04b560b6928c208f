import LedgerCore

/// Where ingest hands a parsed lead and waits for its receipt. In `serve` it is the store's group committer; the
/// benchmark swaps in a sink that stores nothing, to measure the HTTP-and-parsing ceiling that durable ingest is
/// compared against (docs/BENCHMARKS.md).
public protocol LeadSink: Sendable {
    func receive(_ lead: NewLead) async throws -> LeadReceipt
}

/// Group commit, whichever database holds the log: many concurrent callers, one transaction per batch, each caller
/// answered with its own receipt only after the commit returned. A failed batch fails every caller in it (ingest
/// answers 503) and none of it is in the log. Made by `EventStore.groupCommitter`.
public protocol LeadCommitter: LeadSink {
    var statistics: GroupCommitter.Statistics { get }
    /// Leads waiting for a commit now.
    var queued: Int { get }
    /// Refuses new leads; what is queued is still committed. Idempotent.
    func shutdown()
}

/// Called after each committed batch with the leads it carried and how many of them were written (not duplicates).
public typealias AfterCommit = @Sendable (_ leads: Int, _ written: Int) -> Void

extension GroupCommitter: LeadCommitter {}

extension EventLog {
    public func groupCommitter(limits: GroupCommitter.Limits, afterCommit: AfterCommit?) -> any LeadCommitter {
        GroupCommitter(log: self, limits: limits, afterCommit: afterCommit)
    }
}
