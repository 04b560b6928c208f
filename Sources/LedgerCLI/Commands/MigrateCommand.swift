import ArgumentParser
import LedgerCore
import LedgerPostgres
import LedgerStore

/// `leadledger migrate --to postgres://…`: copies the SQLite log into PostgreSQL, event for event and hash for hash.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Copy the SQLite log (LEADLEDGER_DB) into a PostgreSQL database, verified on both sides.",
        discussion: """
            The source is verified first. The target must be empty or hold an earlier copy of this log: an \
            interrupted run resumes where it stopped, a finished one copies nothing more, and a database holding \
            another log is refused. Each batch is one transaction; the copy is verified at the end. The password comes \
            from the URL or LEADLEDGER_DB_PASSWORD and is never printed. Run it as a role that may create tables \
            (see docs/POSTGRES.md). Exit 0 when the copy verifies, 1 when a log does not verify or the target is not \
            a copy of this log, 3 on any other error.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: "The PostgreSQL database to copy into: postgres://USER@HOST[:PORT]/DATABASE?sslmode=…")
    var to: String

    @Option(help: "Events per transaction at the target (1…10000).")
    var batch: Int = LogCopy.defaultBatchSize

    func validate() throws {
        guard (1...10_000).contains(batch) else { throw ValidationError("--batch must be within 1…10000") }
        guard PostgresLocation.isURL(to) else { throw ValidationError("--to must be a postgres:// URL") }
    }

    func run() async throws {
        let settings = try await global.settings()
        let source = try global.openLog(settings, readOnly: true)
        let target = try await global.openPostgres(to, settings, create: true, named: "migrate: --to")
        writeOut("migrate: \(settings.databasePath) → \(target.location)\n")
        let result: Result<LogCopy.Report, StoreError>
        do {
            result = .success(
                try await LogCopy.copy(from: source, to: target, batchSize: batch) { seq in
                    if seq % 100_000 < 1000 { writeOut("migrate: copied up to seq \(seq)\n") }
                })
        } catch {
            result = .failure(error)
        }
        await target.close()
        switch result {
        case .success(let report):
            let head = report.head.map { "head seq \($0.seq) hash \($0.hash)" } ?? "empty log"
            writeOut(
                "migrate: ok, \(report.copied) events copied (\(report.alreadyCopied) already there), verified, \(head)\n")
        case .failure(let error) where [.corrupt, .versionConflict].contains(error.code):
            throw ExitStatus.failureFound("migrate: \(error.description)")
        case .failure(let error):
            throw ExitStatus.runtime("migrate: \(error.description)")
        }
    }
}
