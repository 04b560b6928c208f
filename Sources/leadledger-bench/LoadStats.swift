import Foundation
import Synchronization

/// Counts and latencies of a load run, per interval and in total, shared by every request task.
final class LoadStats: Sendable {
    private struct State {
        var interval = Counts()
        var total = Counts()
        var inFlight = 0
    }

    struct Counts {
        var acknowledged = 0
        var refused = 0
        var otherStatus = 0
        var failed = 0
        var overrun = 0
        var latency = LatencyHistogram()

        var answered: Int { acknowledged + refused + otherStatus + failed }
    }

    private let state = Mutex(State())

    func started() { state.withLock { $0.inFlight += 1 } }

    func inFlight() -> Int { state.withLock { $0.inFlight } }

    func overrun() {
        state.withLock {
            $0.interval.overrun += 1
            $0.total.overrun += 1
        }
    }

    func finished(status: Int?, latency: Duration) {
        let microseconds = Int(latency.components.seconds) * 1_000_000 + Int(latency.components.attoseconds / 1_000_000_000_000)
        state.withLock { state in
            state.inFlight -= 1
            for keyPath in [\State.interval, \State.total] {
                switch status {
                case 200, 201: state[keyPath: keyPath].acknowledged += 1
                case 429, 503: state[keyPath: keyPath].refused += 1
                case nil: state[keyPath: keyPath].failed += 1
                default: state[keyPath: keyPath].otherStatus += 1
                }
                state[keyPath: keyPath].latency.record(microseconds: microseconds)
            }
        }
    }

    /// The figures since the last interval, and starts a new one.
    func interval(at elapsed: Int, server: ServerFacts) -> LoadReport {
        let counts = state.withLock { state in
            defer { state.interval = Counts() }
            return state.interval
        }
        return LoadReport(label: "interval", elapsedSeconds: elapsed, seconds: nil, counts: counts, server: server)
    }

    func total(seconds: Int, server: ServerFacts) -> LoadReport {
        LoadReport(
            label: "total", elapsedSeconds: seconds, seconds: seconds, counts: state.withLock { $0.total }, server: server)
    }
}

/// One JSON line of figures.
struct LoadReport {
    var label: String
    var elapsedSeconds: Int
    /// For the total: the run's length, to compute the rate.
    var seconds: Int?
    var counts: LoadStats.Counts
    var server: ServerFacts

    func jsonLine() -> String {
        func milliseconds(_ fraction: Double) -> Double {
            (Double(counts.latency.percentile(fraction) ?? 0) / 1000 * 100).rounded() / 100
        }
        var object: [String: Any] = [
            "kind": label, "t_s": elapsedSeconds, "acknowledged": counts.acknowledged, "refused": counts.refused,
            "other_status": counts.otherStatus, "failed": counts.failed, "overrun": counts.overrun,
            "p50_ms": milliseconds(0.5), "p99_ms": milliseconds(0.99), "p999_ms": milliseconds(0.999),
            "max_ms": milliseconds(1.0),
        ]
        if let seconds, seconds > 0 { object["rps"] = Double(counts.answered) / Double(seconds) }
        if let rss = server.residentKiB { object["rss_kib"] = rss }
        // The generator's own memory: a load tool that grows would distort the run, or end it.
        if let own = ServerFacts(pid: getpid()).residentKiB { object["generator_rss_kib"] = own }
        if let files = server.openFiles { object["open_fds"] = files }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}

/// Latencies in fixed buckets: 10 µs wide below 10 ms, 1 ms wide up to 60 s (longer ones count as 60 s). Bounded
/// memory whatever the run's length, and percentiles accurate to a bucket's width.
struct LatencyHistogram {
    static let fineLimit = 10_000
    static let coarseLimit = 60_000_000
    private var buckets = [Int](repeating: 0, count: fineLimit / 10 + (coarseLimit - fineLimit) / 1000 + 1)
    private(set) var count = 0

    mutating func record(microseconds: Int) {
        let value = min(max(microseconds, 0), Self.coarseLimit)
        let index = value < Self.fineLimit ? value / 10 : Self.fineLimit / 10 + (value - Self.fineLimit) / 1000
        buckets[index] += 1
        count += 1
    }

    /// The upper edge of the bucket holding the nearest-rank percentile, in microseconds.
    func percentile(_ fraction: Double) -> Int? {
        guard count > 0 else { return nil }
        let rank = max(1, Int((fraction * Double(count)).rounded(.up)))
        var seen = 0
        for (index, number) in buckets.enumerated() where number > 0 {
            seen += number
            if seen >= rank {
                return index < Self.fineLimit / 10
                    ? (index + 1) * 10 : Self.fineLimit + (index - Self.fineLimit / 10 + 1) * 1000
            }
        }
        return Self.coarseLimit
    }
}
