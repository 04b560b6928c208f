import Foundation
import LedgerCore
import LedgerStore

/// `leadledger-bench MODE [options]`. Modes:
/// - `run [--events N] [--leads N]`: the benchmarks in docs/BENCHMARKS.md.
/// - `append --db PATH --leads N`: writes N leads, each with an attempt and an outcome, one transaction per call;
///   used by the two-process test.
/// - `seed --db PATH --leads N [--seed S] [--span-hours H]`: fills a log with a generated history (demo data for
///   `make demo`; with `--span-hours`, arrivals spread over the last H hours, as `make screenshot` wants).
/// - `pending --db PATH --leads N [--no-extra-fields]`: N leads never sent, the backlog for
///   `tools/bench/backlog_drain.py` (`--no-extra-fields`: without the extra form field that needs a note).
/// - `ceiling --db PATH [--port P]`: `serve` without storage, the ceiling for the HTTP ingest benchmark
///   (`tools/bench/http_ingest.sh`).
/// - `load --url URL --seconds S [--rate R | --connections N] [--every S] [--pid PID]`: posts leads open loop at R
///   requests/s (or closed loop with N in flight), printing a JSON line of figures every S seconds (`LoadMode`); the
///   soak (`tools/chaos/soak.py`) runs it.
/// - `pg-commit --url URL [--clients N] [--seconds S]`: leads through the PostgreSQL group committer, closed loop,
///   N in flight (`PostgresCommitMode`); `tools/bench/pg_ingest.py` runs it beside pgbench.
let arguments = Array(CommandLine.arguments.dropFirst())

func option(_ name: String) -> String? {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("leadledger-bench: \(message)\n".utf8))
    exit(2)
}

do {
    switch arguments.first {
    case "append":
        guard let path = option("--db"), let leads = option("--leads").flatMap(Int.init) else {
            fail("append needs --db and --leads")
        }
        try AppendMode(path: path, leads: leads).run()
    case "seed":
        guard let path = option("--db"), let leads = option("--leads").flatMap(Int.init) else {
            fail("seed needs --db and --leads")
        }
        let span = option("--span-hours").flatMap(Int.init)
        if let span, !(1...720).contains(span) { fail("--span-hours must be 1 to 720") }
        try SeedMode(path: path, leads: leads, seed: option("--seed").flatMap(UInt64.init) ?? 1, spanHours: span).run()
    case "pending":
        guard let path = option("--db"), let leads = option("--leads").flatMap(Int.init) else {
            fail("pending needs --db and --leads")
        }
        try PendingMode(path: path, leads: leads, extraFields: !arguments.contains("--no-extra-fields")).run()
    case "ceiling":
        guard let path = option("--db") else { fail("ceiling needs --db") }
        try await CeilingServeMode(path: path, port: option("--port").flatMap(Int.init) ?? 0).run()
    case "load":
        guard let url = option("--url"), let seconds = option("--seconds").flatMap(Int.init), seconds > 0 else {
            fail("load needs --url and --seconds")
        }
        let rate = option("--rate").flatMap(Double.init)
        if let rate, !(rate > 0 && rate <= 100_000) { fail("--rate must be from 0 to 100000") }
        try await LoadMode(
            url: url, rate: rate, connections: option("--connections").flatMap(Int.init) ?? 32, seconds: seconds,
            intervalSeconds: option("--every").flatMap(Int.init) ?? 10, serverPID: option("--pid").flatMap(Int32.init)
        ).run()
    case "pg-commit":
        guard let url = option("--url") else { fail("pg-commit needs --url") }
        let clients = option("--clients").flatMap(Int.init) ?? 32
        let seconds = option("--seconds").flatMap(Int.init) ?? 6
        guard (1...1_000).contains(clients), (1...3_600).contains(seconds) else {
            fail("--clients must be 1 to 1000 and --seconds 1 to 3600")
        }
        try await PostgresCommitMode(url: url, clients: clients, seconds: seconds).run()
    case "run":
        try await BenchmarkSuite(
            events: option("--events").flatMap(Int.init) ?? 1_000_000,
            appends: option("--appends").flatMap(Int.init) ?? 2000
        ).run()
    default:
        fail(
            "usage: leadledger-bench (run [--events N] [--appends N] | append --db PATH --leads N"
                + " | seed --db PATH --leads N [--seed S] [--span-hours H]"
                + " | pending --db PATH --leads N [--no-extra-fields] | ceiling --db PATH [--port P]"
                + " | load --url URL --seconds S [--rate R | --connections N] [--every S] [--pid PID]"
                + " | pg-commit --url URL [--clients N] [--seconds S])")
    }
} catch {
    FileHandle.standardError.write(Data("leadledger-bench: \(error)\n".utf8))
    exit(3)
}
