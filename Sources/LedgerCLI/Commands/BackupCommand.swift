import ArgumentParser
import LedgerStore

/// `leadledger backup DEST`: a consistent online copy of the log, verified.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the log consistently while serve and react run, then verify the copy.",
        discussion: """
            DEST must not exist. The copy is a SQLite log file whichever database holds the log: a snapshot at one \
            instant (SQLite's online backup; from PostgreSQL, every event up to the head found at start, with its \
            hash and its lead's key), written to DEST.partial, fsynced and renamed. Exit 0 when the copy verifies, 1 \
            when it does not, 3 on an error. Restore: stop serve and react, put the copy at LEADLEDGER_DB (or \
            `migrate --to` it into an empty PostgreSQL database), start them; the read models rebuild themselves.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Where to write the copy (a new file).")
    var destination: String

    func run() async throws {
        let settings = try await global.settings()
        let report = try await global.withStore(settings) { log in
            do {
                return try await log.backup(to: destination)
            } catch {
                throw ExitStatus.runtime("\(error)")
            }
        }
        if let problem = report.verification.problem {
            throw ExitStatus.failureFound("backup: the copy at \(report.path) does not verify: \(problem)")
        }
        let head = report.verification.head.map { "head seq \($0.seq) hash \($0.hash)" } ?? "empty log"
        writeOut(
            "backup: \(report.path), \(report.bytes) bytes, verified: \(report.verification.eventsChecked) events, \(head)\n")
    }
}
