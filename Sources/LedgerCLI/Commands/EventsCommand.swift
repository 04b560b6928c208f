import ArgumentParser
import LedgerCore
import LedgerStore

/// `leadledger events`: the log as JSON Lines, oldest first, for auditors and scripts.
struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events", abstract: "Print events as JSON Lines, oldest first (personal fields opened unless erased).")

    @OptionGroup var global: GlobalOptions
    @Option(help: "Only this lead's events.") var lead: String?
    @Option(help: "Only events of this type (\(EventType.allCases.map(\.rawValue).joined(separator: ", "))).") var type: String?
    @Option(name: .customLong("after-seq"), help: "Only events after this seq.") var afterSeq: Int64 = 0
    @Option(help: "Only events recorded at or after this ISO 8601 time.") var from: String?
    @Option(help: "Only events recorded before this ISO 8601 time.") var to: String?
    @Option(help: "Print at most this many events (default: all, read in bounded pages).") var limit: Int?

    func validate() throws {
        if let lead, LeadID(lead) == nil { throw ValidationError("--lead: \(lead) is not a lead id (UUID)") }
        if let type, EventType(rawValue: type) == nil { throw ValidationError("--type: unknown event type \(type)") }
        if let from, Timestamp(iso8601: from) == nil { throw ValidationError("--from: \(from) is not an ISO 8601 time") }
        if let to, Timestamp(iso8601: to) == nil { throw ValidationError("--to: \(to) is not an ISO 8601 time") }
        if let limit, limit < 0 { throw ValidationError("--limit must not be negative") }
        if afterSeq < 0 { throw ValidationError("--after-seq must not be negative") }
    }

    func run() async throws {
        let settings = try await global.settings()
        try await global.withStore(settings) { log in try await print(from: log) }
    }

    private func print(from log: any EventStore) async throws {
        var remaining = limit ?? Int.max
        var query = EventQuery(
            afterSeq: afterSeq, stream: lead.flatMap(LeadID.init)?.description, type: type.flatMap(EventType.init(rawValue:)),
            from: from.flatMap(Timestamp.init(iso8601:)), to: to.flatMap(Timestamp.init(iso8601:)))
        while remaining > 0 {
            query.limit = min(remaining, log.maxPageSize)
            let page = try await log.events(query)
            var text = ""
            for event in page { text += try await log.auditLine(event) + "\n" }
            writeOut(text)
            guard let last = page.last, page.count == query.limit else { break }
            remaining -= page.count
            query.afterSeq = last.seq
        }
    }
}
