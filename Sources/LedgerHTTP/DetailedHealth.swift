import Foundation
import LedgerCore
import LedgerProjections
import LedgerStore

/// `GET /api/health/detailed`: what an operator needs at a glance, computed from the projections plus live facts of
/// the process and the disk, with an overall status and the reasons for it in words. The status and the reasons come
/// from `HealthAssessment`, which the dashboard shares.
struct DetailedHealth: Sendable {
    /// What the server knows about its integrations and thresholds; never secrets.
    struct Context: Sendable {
        var rules: HealthAssessment.Context
        var version: String
        var startedAt: Timestamp
        /// The front door's connection count and cap.
        var connections: ConnectionAdmission
    }

    let log: any EventStore
    let runner: ProjectionRunner
    let localState: String
    let context: Context

    func body(now: Timestamp) async -> (status: Int, object: [String: Any]) {
        let facts: HealthFacts
        do {
            facts = try await HealthFacts.read(
                log: log, runner: runner, localState: localState, now: now, timeZone: context.rules.timeZone)
        } catch {
            let verdict = HealthAssessment.unreadable(error)
            return (503, ["status": verdict.status.rawValue, "reasons": verdict.reasons.map(\.english)])
        }
        let verdict = HealthAssessment(facts, context.rules)
        let health = facts.health
        let object: [String: Any] = [
            "status": verdict.status.rawValue,
            "reasons": verdict.reasons.map(\.english),
            "log": [
                "events": facts.head?.seq ?? 0, "last_seq": facts.head?.seq ?? 0,
                "last_event_at": health.totals.lastEventAt?.iso8601 ?? NSNull(),
                "file_bytes": facts.fileBytes.map { $0 as Any } ?? NSNull(),
                "free_disk_bytes": facts.freeBytes.map { $0 as Any } ?? NSNull(),
            ],
            "projections": facts.projections.map { ["name": $0.name, "checkpoint": $0.checkpoint, "lag": $0.lag] },
            "queue": [
                "pending": health.queue.pending, "in_flight": health.queue.inFlight, "synced": health.queue.synced,
                "dead": health.queue.dead, "spam": health.queue.spam,
                "oldest_pending_age_s": health.oldestPendingAgeSeconds.map { $0 as Any } ?? NSNull(),
            ],
            "crm": [
                "enabled": context.rules.crmEnabled,
                "last_success": health.totals.lastSyncSuccessAt?.iso8601 ?? NSNull(),
                "consecutive_failures": health.totals.consecutiveCRMFailures,
                "circuit_state": facts.heartbeat?.circuit ?? NSNull(),
                "reactor_last_seen_s": facts.heartbeatAgeSeconds.map { $0 as Any } ?? NSNull(),
            ],
            "telegram": [
                "enabled": context.rules.telegramEnabled,
                "last_delivery": facts.alerts?.lastSentAt?.iso8601 ?? NSNull(),
                "undelivered_alerts": facts.alerts.map { $0.pending.count as Any } ?? NSNull(),
                "broken": facts.telegramBroken.map { $0 as Any } ?? NSNull(),
                "blocked_since": facts.telegramChannel?.blockedSince?.iso8601 ?? NSNull(),
            ],
            "process": [
                "version": context.version,
                "uptime_s": max(0, (now.millisecondsSinceEpoch - context.startedAt.millisecondsSinceEpoch) / 1000),
                "memory_rss_bytes": HostFacts.residentBytes().map { $0 as Any } ?? NSNull(),
                "restarts_today": facts.restarts.map { $0.restarts as Any } ?? NSNull(),
                "unclean_restarts_today": facts.restarts.map { $0.unclean as Any } ?? NSNull(),
                "open_descriptors": facts.descriptors.open.map { $0 as Any } ?? NSNull(),
                "max_descriptors": facts.descriptors.limit,
                "open_connections": context.connections.open,
                "max_connections": context.connections.limits.total,
            ],
            "conservation": ["holds": health.conservationHolds, "rule": "received = synced + pending + in_flight + dead + spam"],
        ]
        return (verdict.status == .failing ? 503 : 200, object)
    }
}
