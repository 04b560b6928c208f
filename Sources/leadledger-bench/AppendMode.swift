import Foundation
import LedgerCore
import LedgerStore
import LedgerTesting

/// Writes leads and their sync events one small transaction at a time, as a second writer process would.
struct AppendMode {
    let path: String
    let leads: Int

    func run() throws {
        let log = try EventLog.open(path: path)
        var random = SeededGenerator(seed: UInt64(getpid()))
        for number in 0..<leads {
            let now = SystemClock().now()
            let lead = NewLead(
                leadID: LeadID.make(at: now, using: &random), receivedAt: now, utm: UTM(source: "bench"),
                personal: PersonalData(name: "Bench \(number)", phone: "+7900\(String(format: "%07d", number))"))
            let receipt = try log.receive(lead)
            let attemptID = "\(receipt.leadID)-1"
            try log.append(
                .syncAttempted(SyncAttempted(leadID: receipt.leadID, attempt: 1, attemptID: attemptID, target: .amocrm)))
            try log.append(
                .syncSucceeded(
                    SyncSucceeded(
                        leadID: receipt.leadID, attemptID: attemptID, attempt: 1, crmLeadID: Int64(number + 1), crmContactID: nil)
                ))
        }
    }
}

/// Fills a log with a seeded, realistic history.
struct SeedMode {
    let path: String
    let leads: Int
    let seed: UInt64
    /// Spread the arrivals evenly over this many hours, ending an hour ago (so every generated outcome, the last of
    /// which follows its lead by an hour, is already in the past): what the dashboard's 24-hour charts want to show.
    /// Nil: the leads arrive one a second from a day ago (`make demo`, whose report shows yesterday).
    var spanHours: Int?

    func run() throws {
        let now = SystemClock().now()
        let hours = Int64(spanHours ?? 0)
        // About a day ago, so the demo shows up in `leadledger report` (whose default is yesterday).
        let start = spanHours == nil ? now.adding(seconds: -86_400) : now.adding(seconds: -(hours + 1) * 3600)
        let clock = ManualClock(start)
        let log = try EventLog.open(path: path, clock: clock)
        var generator = LeadHistoryGenerator(log: log, clock: clock, seed: seed)
        // Small batches: the generator's first attempt follows each batch by 30 s, so delays look like a live system's.
        generator.batchSize = 20
        if spanHours != nil {
            generator.arrivalSpacingMilliseconds = max(1, hours * 3_600_000 / Int64(max(leads, 1)))
        }
        let summary = try generator.generate(leads: leads)
        print("seed: \(summary.leads) leads, \(summary.events) events written to \(path)")
    }
}
