import ArgumentParser
import LedgerStore

/// `leadledger backup DEST`: a consistent online copy of the log, verified.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the log consistently while serve and react run, then verify the copy.",
        discussion: """
            DEST must not exist. The copy is a snapshot at one instant (SQLite's online backup), written to \
            DEST.partial, fsynced and renamed. Exit 0 when the copy verifies, 1 when it does not, 3 on an error. \
            Restore: stop serve and react, put the copy at LEADLEDGER_DB, start them; the read models rebuild \
            themselves.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Where to write the copy (a new file).")
    var destination: String

    func run() async throws {
        let settings = try await global.settings()
        let log = try global.openLog(settings)
        let report: BackupReport
        do {
            report = try log.backup(to: destination)
        } catch {
            throw ExitStatus.runtime(error.description)
        }
        if let problem = report.verification.problem {
            throw ExitStatus.failureFound("backup: the copy at \(report.path) does not verify: \(problem)")
        }
        let head = report.verification.head.map { "head seq \($0.seq) hash \($0.hash)" } ?? "empty log"
        writeOut(
            "backup: \(report.path), \(report.bytes) bytes, verified: \(report.verification.eventsChecked) events, \(head)\n")
    }
}
