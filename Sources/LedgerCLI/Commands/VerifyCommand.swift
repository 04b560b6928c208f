import ArgumentParser
import LedgerStore

/// `leadledger verify`: the auditor's check of the whole log.
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check the hash chain, sequence, stream versions and schema of every event.",
        discussion: """
            Exit 0 when the log is intact; exit 1 naming the first bad seq and why. A SQLite file is opened \
            read-only; a PostgreSQL database is only read.
            """)

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let settings = try await global.settings()
        let report = try await global.withStore(settings, readOnly: true) { log in
            do {
                return try await log.verify(progress: nil)
            } catch {
                throw ExitStatus.runtime("\(error)")
            }
        }
        if let problem = report.problem {
            let context =
                problem.seq == nil
                ? "all \(report.eventsChecked) events chain correctly" : "\(report.eventsChecked) events intact before it"
            throw ExitStatus.failureFound("verify: FAILED at \(problem) (\(context))")
        }
        let head = report.head.map { "head seq \($0.seq) hash \($0.hash)" } ?? "empty log"
        writeOut("verify: ok, \(report.eventsChecked) events, \(head)\n")
    }
}
