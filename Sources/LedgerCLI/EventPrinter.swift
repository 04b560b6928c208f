import Foundation
import LedgerCore
import LedgerStore

/// Renders events as the documented JSON Lines (see `EventLog.auditLine`).
struct EventPrinter {
    let log: EventLog

    func line(_ event: RecordedEvent) throws -> String { try log.auditLine(event) }
}

/// Writes text to standard output without buffering surprises between commands.
func writeOut(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
}

func writeError(_ text: String) {
    FileHandle.standardError.write(Data(text.utf8))
}
