import Foundation
import LedgerCore
import LedgerPostgres
import LedgerStore
import Logging
import Synchronization

/// `pg-commit`: `clients` tasks each receive one lead after another through the PostgreSQL group committer for
/// `seconds`, the storage half of ingest on PostgreSQL with no HTTP in front. `tools/bench/pg_ingest.py` runs it
/// beside `pgbench` with a one-row INSERT per transaction at the same client count, PostgreSQL's own ceiling for
/// one transaction per request. Prints one JSON line.
struct PostgresCommitMode {
    let url: String
    let clients: Int
    let seconds: Int

    func run() async throws {
        var logger = Logger(label: "leadledger-bench")
        logger.logLevel = .warning
        let log = try await PostgresEventLog.open(try PostgresLocation(url: url), logger: logger)
        let committer = PostgresGroupCommitter(log: log)
        let tally = Tally()
        let started = ContinuousClock.now
        let deadline = started.advanced(by: .seconds(seconds))
        await withTaskGroup(of: Void.self) { group in
            for client in 0..<clients {
                group.addTask {
                    var number = 0
                    while ContinuousClock.now < deadline {
                        let sent = ContinuousClock.now
                        let now = SystemClock().now()
                        let lead = NewLead(
                            leadID: LeadID.make(at: now), receivedAt: now, formID: "main", utm: UTM(source: "bench"),
                            personal: PersonalData(
                                name: "Bench \(client)-\(number)",
                                phone: "+79\(String(format: "%03d", client))\(String(format: "%06d", number % 1_000_000))"),
                            duplicateWindowStart: now.adding(seconds: -10))
                        number += 1
                        do {
                            _ = try await committer.receive(lead)
                            let elapsed = ContinuousClock.now - sent
                            let microseconds =
                                Int(elapsed.components.seconds) * 1_000_000
                                + Int(elapsed.components.attoseconds / 1_000_000_000_000)
                            tally.latencies.withLock { $0.record(microseconds: microseconds) }
                        } catch {
                            tally.failures.add(1, ordering: .relaxed)
                        }
                    }
                }
            }
        }
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let histogram = tally.latencies.withLock { $0 }
        let statistics = committer.statistics
        let figures: [String: Any] = [
            "clients": clients, "seconds": seconds, "acknowledged": histogram.count,
            "per_second": Double(histogram.count) / seconds, "failed": tally.failures.load(ordering: .relaxed),
            "p50_us": histogram.percentile(0.5) ?? 0, "p99_us": histogram.percentile(0.99) ?? 0,
            "batches": statistics.batches, "largest_batch": statistics.largestBatch,
        ]
        let line = try JSONSerialization.data(withJSONObject: figures, options: [.sortedKeys])
        print(String(decoding: line, as: UTF8.self))
        await log.close()
    }
}

/// What every client task adds to.
private final class Tally: Sendable {
    let latencies = Mutex(LatencyHistogram())
    let failures = Atomic<Int>(0)
}
