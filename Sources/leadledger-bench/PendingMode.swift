import Foundation
import LedgerCore
import LedgerStore
import LedgerTesting

/// Fills a log with leads that have never been sent: the backlog an AmoCRM outage leaves behind, for the drain
/// benchmark (`tools/bench/backlog_drain.sh`).
struct PendingMode {
    let path: String
    let leads: Int

    func run() throws {
        let log = try EventLog.open(path: path)
        var random = SeededGenerator(seed: 20_261_129)
        var written = 0
        while written < leads {
            let batch = (written..<min(leads, written + 1000)).map { number in
                var lead = LeadHistoryGenerator.lead(number: number, at: SystemClock().now(), random: &random)
                lead.spam = nil
                lead.idempotencyKey = nil
                return lead
            }
            written += try log.receive(batch).count
        }
        print("pending: \(written) leads in \(path)")
    }
}
