import Foundation
import LedgerCore
import LedgerHTTP
import LedgerProjections
import LedgerStore

/// The start and clean stop of a `serve` or `react` run, recorded in the log (see `EventStore.recordStart`).
struct ProcessRun {
    let log: any EventStore
    let started: ProcessStarted

    /// Records the start; says so when the previous run ended uncleanly (the alert is in the log already).
    static func begin(_ process: ProcessName, log: any EventStore, settings: LedgerSettings) async throws -> ProcessRun {
        let record: ProcessStartRecord
        do {
            record = try await log.recordStart(
                process, pid: getpid(), version: LedgerServer.version,
                crashLoop: CrashLoopRule(
                    restarts: settings.crashLoopRestarts, window: .seconds(settings.crashLoopWindowSeconds)),
                locale: settings.alerts.locale)
        } catch {
            throw ExitStatus.runtime("\(process.rawValue): cannot record the start in the log: \(error)")
        }
        for alert in record.alerts {
            FileHandle.standardError.write(Data("leadledger \(process.rawValue): alert \(alert.kind): \(alert.message)\n".utf8))
        }
        return ProcessRun(log: log, started: record.started)
    }

    /// Records the clean end. A log that cannot take it (a full disk) makes the next start report this run as
    /// unclean, which is the safe side.
    func end() async {
        do {
            try await log.recordStop(started, reason: "shutdown signal")
        } catch {
            FileHandle.standardError.write(
                Data("leadledger \(started.process.rawValue): cannot record the stop: \(error)\n".utf8))
        }
    }
}
