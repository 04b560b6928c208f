import LedgerStore

/// Where ingest hands a parsed lead and waits for its receipt. In `serve` it is always the group committer; the
/// benchmark swaps in a sink that stores nothing, to measure the HTTP-and-parsing ceiling that durable ingest is
/// compared against (docs/BENCHMARKS.md).
public protocol LeadSink: Sendable {
    func receive(_ lead: NewLead) async throws -> LeadReceipt
}

extension GroupCommitter: LeadSink {}
