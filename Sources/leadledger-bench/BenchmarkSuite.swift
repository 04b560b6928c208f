import Foundation
import GRDB
import LedgerCore
import LedgerProjections
import LedgerStore
import LedgerTesting

/// The figures in docs/BENCHMARKS.md. Every durable figure is measured beside a plain-SQLite baseline in the same
/// run, on the same disk, with the same `synchronous=FULL`, so the ratio means something on any machine.
struct BenchmarkSuite {
    let events: Int
    let appends: Int

    func run() async throws {
        let directory = try TemporaryDirectory(prefix: "leadledger-bench")
        print("# LeadLedger benchmarks")
        print(
            "machine: \(ProcessInfo.processInfo.activeProcessorCount) cores, \(ProcessInfo.processInfo.physicalMemory / 1_073_741_824) GiB; "
                + "SQLite \(sqliteVersion()); temp dir \(directory.path)")
        try appendThroughput(directory)
        try await replayThroughput(directory)
    }

    private func sqliteVersion() -> String {
        (try? DatabaseQueue().read { try String.fetchOne($0, sql: "SELECT sqlite_version()") }) ?? "?"
    }

    // MARK: - Append

    private func appendThroughput(_ directory: TemporaryDirectory) throws {
        print("\n## Append throughput (WAL, synchronous=FULL, one fsync per commit)")
        let log = try EventLog.open(path: directory.file("append.sqlite"))
        var random = SeededGenerator(seed: 7)
        let leads = (0..<appends * 101).map { LeadHistoryGenerator.lead(number: $0, at: SystemClock().now(), random: &random) }

        let singleStart = Date()
        for index in 0..<appends { _ = try log.receive(leads[index]) }
        let single = Double(appends) / Date().timeIntervalSince(singleStart)

        let batchSize = 100
        let batchStart = Date()
        var written = 0
        var offset = appends
        while written < appends * batchSize {
            _ = try log.receive(Array(leads[offset..<offset + batchSize]))
            offset += batchSize
            written += batchSize
        }
        let batched = Double(written) / Date().timeIntervalSince(batchStart)

        let plain = try plainInsertLoop(directory, count: appends, payloadBytes: leads[0].approximateStoredBytes)
        print("| what | rate | vs plain SQLite insert loop |")
        print("| --- | ---: | ---: |")
        print("| plain SQLite: one ~\(leads[0].approximateStoredBytes)-byte row per commit | \(format(plain)) commits/s | 1.00 |")
        print(
            "| ledger receive: 1 lead per commit (seal + HMAC + idempotency check + hash chain) | \(format(single)) commits/s | \(ratio(single, plain)) |"
        )
        print(
            "| ledger receive: \(batchSize) leads per commit (group commit) | \(format(batched)) events/s | \(ratio(batched, plain)) |"
        )
        let verified = try log.verify()
        print("verify after append: \(verified.isIntact ? "intact" : "BROKEN"), \(verified.eventsChecked) events")
    }

    /// The baseline: the same file settings, a table with one text column, one INSERT per transaction.
    private func plainInsertLoop(_ directory: TemporaryDirectory, count: Int, payloadBytes: Int) throws -> Double {
        var configuration = Configuration()
        configuration.prepareDatabase { try $0.execute(sql: "PRAGMA synchronous = FULL") }
        let pool = try DatabasePool(path: directory.file("plain.sqlite"), configuration: configuration)
        try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "CREATE TABLE plain (id INTEGER PRIMARY KEY, data TEXT NOT NULL)")
        }
        let payload = String(repeating: "x", count: payloadBytes)
        let start = Date()
        for _ in 0..<count {
            try pool.writeWithoutTransaction { db in
                try db.inTransaction(.immediate) {
                    try db.execute(sql: "INSERT INTO plain (data) VALUES (?)", arguments: [payload])
                    return .commit
                }
            }
        }
        return Double(count) / Date().timeIntervalSince(start)
    }

    // MARK: - Replay

    private func replayThroughput(_ directory: TemporaryDirectory) async throws {
        print("\n## Replay: rebuild and verify over a generated log")
        let clock = ManualClock(Timestamp(millisecondsSinceEpoch: 1_790_000_000_000))
        let path = directory.file("replay.sqlite")
        try generateHistory(path: path, clock: clock)
        // Reopened, as `leadledger rebuild` would find it: the generator's connections are closed, its WAL is
        // checkpointed into the file, and the replay starts with a cold page cache.
        let log = try EventLog.open(path: path, clock: clock)
        resetPeakRSS()
        let runner = try ProjectionRunner(log: log, batchSize: 10_000)
        let rebuildStart = Date()
        let replayed = try await runner.rebuild()
        let rebuildSeconds = Date().timeIntervalSince(rebuildStart)
        let rebuildPeak = peakRSSMegabytes()
        let health = try HealthView.load(runner.store, now: clock.now())

        resetPeakRSS()
        let verifyStart = Date()
        let verified = try log.verify()
        let verifySeconds = Date().timeIntervalSince(verifyStart)
        let verifyPeak = peakRSSMegabytes()

        print("| what | events | seconds | events/s | peak RSS |")
        print("| --- | ---: | ---: | ---: | ---: |")
        print(
            "| rebuild (3 projections, batches of 10,000) | \(replayed) | \(String(format: "%.2f", rebuildSeconds)) | "
                + "\(format(Double(replayed) / rebuildSeconds)) | \(rebuildPeak) MiB |")
        print(
            "| verify (hash chain + strict decode) | \(verified.eventsChecked) | \(String(format: "%.2f", verifySeconds)) | "
                + "\(format(Double(verified.eventsChecked) / verifySeconds)) | \(verifyPeak) MiB |")
        print(
            "conservation after rebuild: \(health.conservationHolds ? "holds" : "BROKEN") "
                + "(received \(health.totals.receivedTotal) = \(health.queue.total)); verify \(verified.isIntact ? "intact" : "BROKEN")"
        )
    }

    /// Writes the log through the public API and closes it.
    private func generateHistory(path: String, clock: ManualClock) throws {
        let log = try EventLog.open(path: path, clock: clock)
        var generator = LeadHistoryGenerator(log: log, clock: clock, seed: 42)
        generator.batchSize = 5000
        let generateStart = Date()
        var summary = LeadHistoryGenerator.Summary()
        while summary.events < Int64(events) {
            let more = try generator.generate(leads: 5000)
            summary.events += more.events
            summary.leads += more.leads
        }
        let generateSeconds = Date().timeIntervalSince(generateStart)
        try log.checkpointTruncate()
        let fileMB = Double((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0) / 1_048_576
        print(
            "generated \(summary.events) events (\(summary.leads) leads) in \(String(format: "%.1f", generateSeconds)) s "
                + "through the public API; file \(String(format: "%.0f", fileMB)) MiB")
    }

    // MARK: - Helpers

    /// Writing 5 to clear_refs resets VmHWM, so each phase reports its own peak.
    private func resetPeakRSS() {
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
    }

    private func peakRSSMegabytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        else { return -1 }
        return kilobytes / 1024
    }

    private func format(_ value: Double) -> String {
        let formatter = NumberFormatter()
        formatter.numberStyle = .decimal
        formatter.maximumFractionDigits = 0
        formatter.groupingSeparator = ","
        return formatter.string(from: NSNumber(value: value)) ?? "\(Int(value))"
    }

    private func ratio(_ value: Double, _ base: Double) -> String { String(format: "%.2f", value / base) }
}

extension NewLead {
    /// Roughly what one LeadReceived row stores, for a like-for-like baseline.
    var approximateStoredBytes: Int { 700 }
}
