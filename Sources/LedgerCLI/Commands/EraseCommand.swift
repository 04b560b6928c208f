import ArgumentParser
import LedgerCore
import LedgerStore

/// `leadledger erase ID`: destroys one lead's personal data (consent withdrawn) and records it.
struct EraseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "erase",
        abstract: "Destroy one lead's personal data on request and record the erasure; the chain still verifies.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The lead id.") var id: String
    @Option(help: "Why (recorded in the log; no personal data).") var reason = "consent withdrawn"

    func validate() throws {
        if LeadID(id) == nil { throw ValidationError("\(id) is not a lead id (UUID)") }
    }

    func run() async throws {
        guard let leadID = LeadID(id) else { throw ExitStatus.usage("\(id) is not a lead id") }
        let settings = try await global.settings()
        try await global.withStore(settings) { log in try await erase(leadID, in: log) }
    }

    private func erase(_ leadID: LeadID, in log: any EventStore) async throws {
        do {
            let outcome = try await log.erase(leadID, reason: reason)
            if outcome.alreadyErased {
                writeOut("erase: lead \(leadID) was already erased at seq \(outcome.event.seq)\n")
            } else {
                writeOut("erase: lead \(leadID) erased, recorded at seq \(outcome.event.seq)\n")
            }
            switch outcome.residue {
            case .none: break
            case .sqliteWriteAheadLog:
                writeError(
                    "warning: readers kept the write-ahead log busy, so it still holds the erased key's old page; "
                        + "run this command again when they are idle to truncate it\n")
            case .postgresStorage:
                writeError(
                    "note: PostgreSQL keeps the deleted row's old version until VACUUM reuses its space, and its WAL "
                        + "and backups keep it until they are recycled or expire; no reader can reach it\n")
            }
        } catch {
            throw ExitStatus.runtime("\(error)")
        }
    }
}
