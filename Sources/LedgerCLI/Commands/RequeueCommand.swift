import ArgumentParser
import LedgerCore
import LedgerProjections
import LedgerStore

/// `leadledger requeue`: puts dead-lettered leads back into the retry queue.
struct RequeueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "requeue", abstract: "Put dead-lettered leads back into the retry queue.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Lead ids to requeue.") var ids: [String] = []
    @Flag(help: "Requeue every dead lead.") var dead = false

    func validate() throws {
        if ids.isEmpty == !dead { throw ValidationError("give lead ids or --dead (not both)") }
        for id in ids where LeadID(id) == nil { throw ValidationError("\(id) is not a lead id (UUID)") }
    }

    func run() async throws {
        let settings = try await global.settings()
        try await global.withStore(settings) { log in try await requeue(log, settings) }
    }

    private func requeue(_ log: any EventStore, _ settings: LedgerSettings) async throws {
        let runner = try await global.projected(log, settings)
        let queue = RetryQueue(store: runner.store)
        var written = 0
        if dead {
            // Page by page: each page becomes pending once written and projected, so the next read sees new ones.
            let pages =
                (try HealthView.load(runner.store, now: SystemClock().now()).deadCount) / Int64(log.maxPageSize) + 1
            for _ in 0..<pages {
                let page = try queue.entries(in: .dead, limit: log.maxPageSize)
                if page.isEmpty { break }
                written += try await requeue(page, log)
                try await global.catchUp(runner)
            }
        } else {
            var entries: [RetryQueueEntry] = []
            for id in ids {
                guard let leadID = LeadID(id), let entry = try queue.entry(leadID) else {
                    writeError("requeue: no lead \(id) in the queue\n")
                    continue
                }
                if entry.state == .dead {
                    entries.append(entry)
                } else {
                    writeError("requeue: lead \(entry.leadID) is \(entry.state.rawValue), not dead; left as it is\n")
                }
            }
            written += try await requeue(entries, log)
            try await global.catchUp(runner)
        }
        writeOut("requeue: \(written) lead(s) back in the queue\n")
    }

    private func requeue(_ entries: [RetryQueueEntry], _ log: any EventStore) async throws -> Int {
        var written = 0
        for chunk in stride(from: 0, to: entries.count, by: log.maxEventsPerAppend) {
            let events = entries[chunk..<min(chunk + log.maxEventsPerAppend, entries.count)].map {
                PendingEvent(.leadRequeued(LeadRequeued(leadID: $0.leadID, requestedBy: "cli")))
            }
            written += try await log.append(Array(events)).count
        }
        return written
    }
}
