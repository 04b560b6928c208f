import ArgumentParser
import Foundation
import LedgerAmoCRM
import LedgerCore
import Logging

/// `leadledger check-amocrm`: the doctor for the owner's AmoCRM account, run after setting up and whenever the
/// reactor's failures point at the account rather than at a lead.
struct CheckAmoCRMCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-amocrm",
        abstract: "Check the AmoCRM account against the settings: token, clock, pipeline, fields, OAuth refresh.",
        discussion: """
            Prints one row per check (ok, warn or FAIL) and a final verdict; exit 0 when nothing FAILs, 1 otherwise. \
            Reads only, unless --write. Calls are paced at LEADLEDGER_AMOCRM_RATE_PER_S. Secrets are never printed.
            """)

    @OptionGroup var global: GlobalOptions
    @Flag(
        help:
            "Also create one test lead tagged leadledger-check, as the reactor would, and find it again by its created_at window."
    )
    var write = false

    func run() async throws {
        let settings = try await global.settings()
        guard let crm = settings.amoCRM else {
            throw ExitStatus.runtime("check-amocrm: LEADLEDGER_AMOCRM_BASE_URL is not set: there is no account to check")
        }
        // Nothing is logged: the table is the output, and a log line could interleave with it.
        let logger = Logger(label: "leadledger.check-amocrm") { _ in SwiftLogNoOpLogHandler() }
        writeOut("check-amocrm: \(crm.baseURL.absoluteString)\(write ? " (with a test lead)" : "")\n")
        let rows: [CheckRow]
        do {
            let connection = try AmoCRMConnection(crm, logPath: settings.localStateBase, logger: logger)
            var doctor = AmoCRMDoctor(crm: crm, connection: connection, localState: settings.localStateBase)
            rows = await doctor.run(write: write)
            await connection.client.shutdown()
        } catch {
            rows = [
                CheckRow(
                    "oauth refresh", .fail,
                    "the saved tokens (beside a SQLite LEADLEDGER_DB, or under LEADLEDGER_STATE_DIR) cannot be read: \(error); restore or remove the file and re-authorise"
                )
            ]
        }
        writeOut(CheckTable.render(rows))
        let verdict = CheckTable.verdictLine(rows)
        if rows.contains(where: { $0.verdict == .fail }) { throw ExitStatus.failureFound(verdict) }
        writeOut(verdict + "\n")
    }
}
