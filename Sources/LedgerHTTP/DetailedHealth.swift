import Foundation
import LedgerCore
import LedgerProjections
import LedgerStore

/// `GET /api/health/detailed`: what an operator needs at a glance, computed from the projections plus live facts of
/// the process and the disk, with an overall status and the reasons for it in words.
struct DetailedHealth: Sendable {
    /// What the server knows about its integrations and thresholds; never secrets.
    struct Context: Sendable {
        var crmEnabled: Bool
        var telegramEnabled: Bool
        var version: String
        var startedAt: Timestamp
        /// Oldest pending lead older than this degrades health. Default 600 s.
        var pendingAgeThresholdSeconds: Int64 = 600
        /// Free disk below this degrades health (and below a tenth of it, fails). Default 1 GiB.
        var freeDiskThresholdBytes: Int64 = 1 << 30
        /// Projections further behind than this many events degrade health. Default 10,000.
        var projectionLagThreshold: Int64 = 10_000
        /// A reactor heartbeat older than this means no reactor runs. Default 30 s (it beats at least every 2.5 s).
        var reactorSilenceSeconds: Int64 = 30
        /// Alerts waiting longer than this for Telegram degrade health (the owner must hear within a minute).
        var alertDeliveryGraceSeconds: Int64 = 60
        /// Where "today" begins for restart counts.
        var timeZone: TimeZone = .current
    }

    let log: EventLog
    let runner: ProjectionRunner
    let context: Context

    func body(now: Timestamp) -> (status: Int, object: [String: Any]) {
        var reasons: [String] = []
        var failing = false
        let head: ChainHead?
        let health: HealthView
        let projections: [ProjectionStatus]
        do {
            head = try log.head()
            health = try HealthView.load(runner.store, now: now)
            projections = try runner.status()
        } catch {
            return (503, ["status": "failing", "reasons": ["the event log or the read models cannot be read: \(error)"]])
        }
        let restarts = try? log.restarts(since: Self.startOfDay(now, in: context.timeZone))
        let fileBytes = Self.fileSize(log.path)
        let freeBytes = Self.freeDisk(log.path)
        if !health.conservationHolds {
            failing = true
            reasons.append(
                "conservation check failed: received \(health.totals.receivedTotal) ≠ \(health.queue.total) in the queue")
        }
        if let free = freeBytes, free < context.freeDiskThresholdBytes {
            if free < context.freeDiskThresholdBytes / 10 { failing = true }
            reasons.append("free disk is \(free / 1_048_576) MiB")
        }
        if let age = health.oldestPendingAgeSeconds, age > context.pendingAgeThresholdSeconds {
            reasons.append("oldest pending lead waits \(age / 60) min")
        }
        let maxLag = projections.map(\.lag).max() ?? 0
        if maxLag > context.projectionLagThreshold {
            reasons.append("projections are \(maxLag) events behind the log")
        }
        if !context.crmEnabled { reasons.append("CRM sync disabled: LEADLEDGER_AMOCRM_BASE_URL not set") }
        let heartbeat = ReactorHeartbeat.read(forLog: log.path)
        let heartbeatAge = heartbeat.map { max(0, (now.millisecondsSinceEpoch - $0.updatedAt.millisecondsSinceEpoch) / 1000) }
        if context.crmEnabled {
            if let age = heartbeatAge, age <= context.reactorSilenceSeconds {
                if heartbeat?.circuit == "open" { reasons.append("AmoCRM circuit open: leads wait, the reactor probes") }
            } else {
                reasons.append(
                    heartbeatAge.map { "reactor not running: last heard from \($0) s ago" } ?? "reactor has never run on this log"
                )
            }
        }
        let alerts = try? log.alertDeliveryStatus()
        if !context.telegramEnabled {
            reasons.append("alerts not delivered: LEADLEDGER_TELEGRAM_BOT_TOKEN not set")
        } else if let alerts {
            if let refusal = alerts.refusal { reasons.append("Telegram refuses alerts: \(refusal)") }
            if let oldest = alerts.oldestPendingAt,
                now.millisecondsSinceEpoch - oldest.millisecondsSinceEpoch > context.alertDeliveryGraceSeconds * 1000
            {
                reasons.append("\(alerts.pending.count) alerts waiting for Telegram")
            }
        }
        let status = failing ? "failing" : (reasons.isEmpty ? "ok" : "degraded")
        let object: [String: Any] = [
            "status": status,
            "reasons": reasons,
            "log": [
                "events": head?.seq ?? 0, "last_seq": head?.seq ?? 0,
                "last_event_at": health.totals.lastEventAt?.iso8601 ?? NSNull(),
                "file_bytes": fileBytes.map { $0 as Any } ?? NSNull(), "free_disk_bytes": freeBytes.map { $0 as Any } ?? NSNull(),
            ],
            "projections": projections.map { ["name": $0.name, "checkpoint": $0.checkpoint, "lag": $0.lag] },
            "queue": [
                "pending": health.queue.pending, "in_flight": health.queue.inFlight, "synced": health.queue.synced,
                "dead": health.queue.dead, "spam": health.queue.spam,
                "oldest_pending_age_s": health.oldestPendingAgeSeconds.map { $0 as Any } ?? NSNull(),
            ],
            "crm": [
                "enabled": context.crmEnabled,
                "last_success": health.totals.lastSyncSuccessAt?.iso8601 ?? NSNull(),
                "consecutive_failures": health.totals.consecutiveCRMFailures,
                "circuit_state": heartbeat?.circuit ?? NSNull(),
                "reactor_last_seen_s": heartbeatAge.map { $0 as Any } ?? NSNull(),
            ],
            "telegram": [
                "enabled": context.telegramEnabled,
                "last_delivery": alerts?.lastSentAt?.iso8601 ?? NSNull(),
                "undelivered_alerts": alerts.map { $0.pending.count as Any } ?? NSNull(),
                "broken": alerts.map { ($0.refusal != nil) as Any } ?? NSNull(),
            ],
            "process": [
                "version": context.version,
                "uptime_s": max(0, (now.millisecondsSinceEpoch - context.startedAt.millisecondsSinceEpoch) / 1000),
                "memory_rss_bytes": Self.residentBytes().map { $0 as Any } ?? NSNull(),
                "restarts_today": restarts.map { $0.restarts as Any } ?? NSNull(),
                "unclean_restarts_today": restarts.map { $0.unclean as Any } ?? NSNull(),
            ],
            "conservation": ["holds": health.conservationHolds, "rule": "received = synced + pending + in_flight + dead + spam"],
        ]
        return (failing ? 503 : 200, object)
    }

    /// Midnight of `now`'s day in `zone`.
    static func startOfDay(_ now: Timestamp, in zone: TimeZone) -> Timestamp {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let date = Date(timeIntervalSince1970: Double(now.millisecondsSinceEpoch) / 1000)
        return Timestamp(millisecondsSinceEpoch: Int64(calendar.startOfDay(for: date).timeIntervalSince1970 * 1000))
    }

    static func fileSize(_ path: String) -> Int64? {
        (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value
    }

    static func freeDisk(_ path: String) -> Int64? {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return (try? FileManager.default.attributesOfFileSystem(forPath: directory)[.systemFreeSize] as? NSNumber)?.int64Value
    }

    /// Resident set size from /proc/self/statm (pages × page size); nil where there is no procfs.
    static func residentBytes() -> Int64? {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int64(fields[1]) else { return nil }
        return pages * Int64(sysconf(Int32(_SC_PAGESIZE)))
    }
}
