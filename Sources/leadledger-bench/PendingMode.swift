import Foundation
import LedgerCore
import LedgerStore
import LedgerTesting

/// Fills a log with leads that have never been sent: the backlog an AmoCRM outage leaves behind, for the drain
/// benchmark (`tools/bench/backlog_drain.py`).
struct PendingMode {
    let path: String
    let leads: Int
    /// False for leads with only the form's known fields: with comment and page mapped to custom fields, such a lead
    /// needs no note, and a batch costs one AmoCRM call instead of two.
    var extraFields = true

    func run() throws {
        let log = try EventLog.open(path: path)
        var random = SeededGenerator(seed: 20_261_129)
        var written = 0
        while written < leads {
            let batch = (written..<min(leads, written + 1000)).map { number in
                var lead = LeadHistoryGenerator.lead(number: number, at: SystemClock().now(), random: &random)
                lead.spam = nil
                lead.idempotencyKey = nil
                if !extraFields { lead.personal.extra = [:] }
                return lead
            }
            written += try log.receive(batch).count
        }
        print("pending: \(written) leads in \(path)")
    }
}
