import ArgumentParser
import Foundation
import LedgerCore
import LedgerProjections
import LedgerStore

/// `leadledger lead ID`: one lead's state and timeline, for a person (or `--json` for a script).
struct LeadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "lead", abstract: "Show one lead's state and full timeline.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The lead id.") var id: String
    @Flag(help: "Print JSON instead of text.") var json = false

    func validate() throws {
        if LeadID(id) == nil { throw ValidationError("\(id) is not a lead id (UUID)") }
    }

    func run() async throws {
        guard let leadID = LeadID(id) else { throw ExitStatus.usage("\(id) is not a lead id") }
        let settings = try await global.settings()
        try await global.withStore(settings) { log in try await show(leadID, log, settings) }
    }

    private func show(_ leadID: LeadID, _ log: any EventStore, _ settings: LedgerSettings) async throws {
        let runner = try await global.projected(log, settings)
        let timeline = try await log.stream(leadID.description)
        guard let first = timeline.first, case .leadReceived(let received) = try first.decode(strict: false) else {
            throw ExitStatus.runtime("no lead \(leadID) in the log")
        }
        let entry = try RetryQueue(store: runner.store).entry(leadID)
        let note = try NoteQueue(store: runner.store).entry(leadID)
        let personal = try await log.personalData(of: received)
        if json {
            var text = "{\"lead_id\":\"\(leadID)\",\"state\":\"\(entry?.state.rawValue ?? "unknown")\","
            text += "\"attempts\":\(entry?.attempts ?? 0),\"failures\":\(entry?.failures ?? 0),\"timeline\":["
            var lines: [String] = []
            for event in timeline { lines.append(try await log.auditLine(event)) }
            text += lines.joined(separator: ",")
            text += "]}\n"
            writeOut(text)
            return
        }
        var text = "Lead \(leadID)\n"
        text += "  received   \(received.receivedAt.iso8601) via \(received.origin.rawValue)"
        text += received.formID.map { ", form \($0)" } ?? ""
        text += received.utm.source.map { ", utm_source \($0)" } ?? ""
        text += "\n"
        switch personal {
        case .available(let data):
            text += "  contact    \(data.name ?? "-"), \(data.phone ?? "-"), \(data.email ?? "-")\n"
        case .erased:
            text += "  contact    (erased)\n"
        }
        if let entry {
            text += "  state      \(entry.state.rawValue), \(entry.attempts) attempt(s), \(entry.failures) failure(s)"
            if let next = entry.nextAttemptAt, entry.state == .pending { text += ", next attempt \(next.iso8601)" }
            if let crm = entry.crmLeadID { text += ", AmoCRM lead \(crm)" }
            if let error = entry.lastError, entry.state != .synced {
                text += "\n  last error \(entry.lastErrorClass?.rawValue ?? "?"): \(error)"
            }
            text += "\n"
        }
        if let note {
            text += "  note       \(note.state.rawValue), \(note.attempts) attempt(s), AmoCRM lead \(note.crmLeadID)"
            if let next = note.nextAttemptAt, note.state == .pending { text += ", next attempt \(next.iso8601)" }
            if let error = note.lastError, note.state != .added {
                text += "\n  note error \(note.lastErrorClass?.rawValue ?? "?"): \(error)"
            }
            text += "\n"
        }
        text += "  timeline\n"
        for event in timeline {
            text += "    #\(event.seq) \(event.recordedAt.iso8601) \(event.type)\(try summary(event))\n"
        }
        writeOut(text)
    }

    private func summary(_ event: RecordedEvent) throws -> String {
        switch try event.decode(strict: false) {
        case .syncAttempted(let attempt): " attempt \(attempt.attempt) to \(attempt.target.rawValue)"
        case .syncFailed(let failure):
            " attempt \(failure.attempt): \(failure.errorClass.rawValue)\(failure.httpStatus.map { " HTTP \($0)" } ?? "") "
                + (failure.nextAttemptAt.map { "retry at \($0.iso8601)" } ?? "no retry (dead)")
        case .syncSucceeded(let success):
            " attempt \(success.attempt): AmoCRM lead \(success.crmLeadID)\(success.merged ? " (merged)" : "")"
        case .noteAttempted(let attempt): " note attempt \(attempt.attempt) to AmoCRM lead \(attempt.crmLeadID)"
        case .noteFailed(let failure):
            " note attempt \(failure.attempt): \(failure.errorClass.rawValue)\(failure.httpStatus.map { " HTTP \($0)" } ?? "") "
                + (failure.nextAttemptAt.map { "retry at \($0.iso8601)" } ?? "no retry (\(failure.message))")
        case .noteAdded(let added): " note attempt \(added.attempt)\(added.crmNoteID.map { ": AmoCRM note \($0)" } ?? "")"
        case .leadRequeued(let requeue): " by \(requeue.requestedBy)"
        case .leadErased(let erased): " (\(erased.reason))"
        case .leadReceived, .alertRaised, .processStarted, .processStopped, .alertResolved, .alertDelivered,
            .alertUndeliverable, .reportProduced:
            ""
        }
    }
}
