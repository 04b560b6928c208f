import Foundation
import LedgerCore
import LedgerProjections
import LedgerStore
import Prometheus

/// What `GET /metrics` exports, in Prometheus text format, all named `leadledger_*`.
///
/// Two kinds: events counted as they happen (requests, leads, batches, latencies) and state sampled at scrape time
/// from the projections and the process (queue by state, oldest pending age, projection lag, queue depth, RSS, free
/// disk). Sampling state at scrape keeps one source of truth: the read models the health endpoint also shows.
/// Every label takes values from a closed set (route patterns, status codes, states), so the series count is bounded.
final class ServerMetrics: Sendable {
    let registry: PrometheusCollectorRegistry

    private let ingestDuration: DurationHistogram
    private let batchSizes: ValueHistogram
    private let eventsAppended: Counter
    private let leadsByOutcome: [LeadOutcome: Counter]

    /// How `POST /api/leads` ended for a lead that reached the log.
    enum LeadOutcome: String, CaseIterable {
        case created, spam
        case idempotentReplay = "idempotent_replay"
        case doubleSubmission = "double_submission"
    }

    init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        ingestDuration = registry.makeDurationHistogram(
            descriptor: Self.name(
                "ingest_duration", unit: "seconds",
                "POST /api/leads from first byte to answer, durable commit included, every status"),
            buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10].map {
                Duration.microseconds(Int64($0 * 1_000_000))
            })
        batchSizes = registry.makeValueHistogram(
            descriptor: Self.name("group_commit_batch", unit: "leads", "Leads per group-commit transaction (one fsync each)"),
            buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024])
        eventsAppended = registry.makeCounter(
            descriptor: Self.name("events_appended", unit: "total", "Events this process appended to the log"))
        var outcomes: [LeadOutcome: Counter] = [:]
        for outcome in LeadOutcome.allCases {
            outcomes[outcome] = registry.makeCounter(
                descriptor: Self.name(
                    "leads_received", unit: "total",
                    "Leads answered 2xx by ingest, by outcome: created (new), spam (honeypot), idempotent_replay, double_submission"
                ),
                labels: [("outcome", outcome.rawValue)])
        }
        leadsByOutcome = outcomes
    }

    static func name(_ metric: String, unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "leadledger", metricName: metric, unitName: unit, helpText: help)
    }

    // MARK: - Counted as they happen

    func request(route: String, method: String, status: Int, duration: Duration) {
        registry.makeCounter(
            descriptor: Self.name("http_requests", unit: "total", "HTTP requests by route pattern, method and status"),
            labels: [("route", route), ("method", method), ("status", "\(status)")]
        ).increment()
        registry.makeDurationHistogram(
            descriptor: Self.name("http_request_duration", unit: "seconds", "HTTP request latency by route pattern"),
            labels: [("route", route)],
            buckets: [0.001, 0.005, 0.025, 0.1, 0.5, 2.5, 10].map { Duration.microseconds(Int64($0 * 1_000_000)) }
        ).record(duration)
    }

    func ingest(duration: Duration) { ingestDuration.record(duration) }

    func lead(_ outcome: LeadOutcome) { leadsByOutcome[outcome]?.increment() }

    /// A connection over a cap, answered 503 and closed at once.
    func connectionRefused(_ reason: ConnectionAdmission.Refusal) {
        registry.makeCounter(
            descriptor: Self.name(
                "http_connections_refused", unit: "total",
                "Connections answered 503 and closed at once, by cap: total or per_ip"),
            labels: [("reason", reason.rawValue)]
        ).increment()
    }

    /// A connection closed by the server because its client missed a phase's deadline.
    func connectionExpired(_ phase: ConnectionDeadlines.Expiry) {
        registry.makeCounter(
            descriptor: Self.name(
                "http_connections_closed", unit: "total",
                "Connections the server closed on a deadline: header_timeout, body_timeout, idle_timeout, send_timeout"),
            labels: [("reason", phase.rawValue)]
        ).increment()
    }

    /// Called by the group committer after each committed batch: `leads` in it, `written` of them new events.
    func committed(leads: Int, written: Int) {
        batchSizes.record(Double(leads))
        eventsAppended.increment(by: Int64(written))
    }

    // MARK: - Sampled at scrape

    /// The exposition text, after sampling state. A read model that cannot be read leaves its gauges at their last
    /// value and sets `leadledger_metrics_sample_ok` to 0 rather than failing the scrape.
    func render(
        log: any EventStore, runner: ProjectionRunner, localState: String, committer: any LeadCommitter,
        connections: ConnectionAdmission, startedAt: Timestamp
    ) async -> [UInt8] {
        let now = SystemClock().now()
        var sampled = true
        do {
            let health = try HealthView.load(runner.store, now: now)
            for (state, count) in [
                ("pending", health.queue.pending), ("in_flight", health.queue.inFlight), ("synced", health.queue.synced),
                ("dead", health.queue.dead), ("spam", health.queue.spam),
            ] {
                gauge("queue_leads", unit: "", "Leads in the retry queue by state (dead = dead-lettered)", [("state", state)])
                    .set(to: Double(count))
            }
            gauge("oldest_pending_age", unit: "seconds", "Age of the oldest lead not yet in the CRM; 0 when none waits")
                .set(to: Double(health.oldestPendingAgeSeconds ?? 0))
            gauge("log_received_leads", unit: "", "LeadReceived events in the log, spam included")
                .set(to: Double(health.totals.receivedTotal))
            gauge("conservation_ok", unit: "", "1 when received = synced + pending + in flight + dead + spam")
                .set(to: health.conservationHolds ? 1.0 : 0.0)
            let head = try await log.head()
            if let head {
                gauge("log_last_seq", unit: "", "Sequence number of the newest event in the log").set(to: Double(head.seq))
            }
            for projection in try runner.status(head: head?.seq ?? 0) {
                gauge(
                    "projection_lag", unit: "events", "Events in the log a projection has not folded yet",
                    [("projection", projection.name)]
                ).set(to: Double(projection.lag))
            }
        } catch {
            sampled = false
        }
        gauge("metrics_sample_ok", unit: "", "0 when the last scrape could not read the read models").set(to: sampled ? 1.0 : 0.0)
        gauge("group_commit_queue", unit: "leads", "Leads waiting for the disk in front of group commit")
            .set(to: Double(committer.queued))
        gauge("process_uptime", unit: "seconds", "Seconds since serve started")
            .set(to: Double(now.millisecondsSinceEpoch - startedAt.millisecondsSinceEpoch) / 1000)
        if let rss = HostFacts.residentBytes() {
            gauge("process_resident_memory", unit: "bytes", "Resident set size of serve").set(to: Double(rss))
        }
        gauge("http_connections_open", unit: "", "HTTP connections open now").set(to: Double(connections.open))
        gauge("http_connections_max", unit: "", "The cap on open HTTP connections").set(to: Double(connections.limits.total))
        if let open = Descriptors.open() {
            gauge("process_open_fds", unit: "", "File descriptors serve has open").set(to: Double(open))
        }
        gauge("process_max_fds", unit: "", "serve's descriptor limit (soft)").set(to: Double(Descriptors.limit()))
        if let free = HostFacts.freeDiskBytes(forLog: localState) {
            gauge("disk_free", unit: "bytes", "Free bytes on the log's file system").set(to: Double(free))
        }
        return registry.emitToBuffer()
    }

    private func gauge(_ metric: String, unit: String, _ help: String, _ labels: [(String, String)] = []) -> Gauge {
        let descriptor = MetricNameDescriptor(
            namespace: "leadledger", metricName: metric, unitName: unit, helpText: help)
        return labels.isEmpty
            ? registry.makeGauge(descriptor: descriptor) : registry.makeGauge(descriptor: descriptor, labels: labels)
    }
}
