import Foundation
import LedgerCore
import LedgerProjections
import LedgerStore

/// The overall status (`ok` / `degraded` / `failing`) and the reasons for it: the one set of health rules, used by
/// `/api/health/detailed` (reasons in English) and the dashboard (reasons in the page's language).
struct HealthAssessment: Sendable, Equatable {
    /// Thresholds and integrations the rules depend on; never secrets.
    struct Context: Sendable {
        var crmEnabled: Bool
        var telegramEnabled: Bool
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
        /// Open descriptors above this share of the limit degrade health (`LEADLEDGER_ALERT_DESCRIPTORS_PERCENT`, the
        /// same threshold as the `descriptors_high` alert). Default 80.
        var descriptorsPercent = 80
        /// Where "today" begins for the restart counts.
        var timeZone: TimeZone = .current
    }

    enum Status: String, Sendable {
        case ok, degraded, failing
    }

    /// Why health is not `ok`. Cases carry numbers, not text, so each page words them in its own language.
    enum Reason: Sendable, Equatable {
        /// The log or the read models cannot be read; the text is the error's description.
        case unreadable(String)
        case conservationFailed(received: Int64, inQueue: Int64)
        case lowDisk(freeBytes: Int64)
        case oldestPendingWaits(seconds: Int64)
        case projectionsBehind(events: Int64)
        case crmDisabled
        case circuitOpen
        case reactorSilent(seconds: Int64)
        case reactorNeverRan
        case alertsNotDelivered
        /// Telegram refused an alert for good (chat not found, bot blocked, bad token); the text is its reason.
        case telegramRefuses(String)
        case alertsWaiting(count: Int)
        /// Open descriptors near the limit: new connections, and then new leads, will be refused.
        case descriptorsHigh(open: Int, limit: Int)
    }

    var status: Status
    var reasons: [Reason]

    /// The verdict when the facts themselves cannot be read.
    static func unreadable(_ error: any Error) -> HealthAssessment {
        HealthAssessment(status: .failing, reasons: [.unreadable("\(error)")])
    }

    init(status: Status, reasons: [Reason]) {
        self.status = status
        self.reasons = reasons
    }

    /// Applies the rules to `facts`. Failing: the books do not balance, or the disk is nearly full. Degraded: anything
    /// that leaves leads waiting or alerts unheard.
    init(_ facts: HealthFacts, _ context: Context) {
        var reasons: [Reason] = []
        var failing = false
        let health = facts.health
        if !health.conservationHolds {
            failing = true
            reasons.append(.conservationFailed(received: health.totals.receivedTotal, inQueue: health.queue.total))
        }
        if let free = facts.freeBytes, free < context.freeDiskThresholdBytes {
            if free < context.freeDiskThresholdBytes / 10 { failing = true }
            reasons.append(.lowDisk(freeBytes: free))
        }
        if let age = health.oldestPendingAgeSeconds, age > context.pendingAgeThresholdSeconds {
            reasons.append(.oldestPendingWaits(seconds: age))
        }
        if facts.maxProjectionLag > context.projectionLagThreshold {
            reasons.append(.projectionsBehind(events: facts.maxProjectionLag))
        }
        if let open = facts.descriptors.open, facts.descriptors.limit > 0,
            open * 100 > facts.descriptors.limit * context.descriptorsPercent
        {
            reasons.append(.descriptorsHigh(open: open, limit: facts.descriptors.limit))
        }
        if !context.crmEnabled { reasons.append(.crmDisabled) }
        if context.crmEnabled {
            if let age = facts.heartbeatAgeSeconds, age <= context.reactorSilenceSeconds {
                if facts.heartbeat?.circuit == "open" { reasons.append(.circuitOpen) }
            } else {
                reasons.append(facts.heartbeatAgeSeconds.map { .reactorSilent(seconds: $0) } ?? .reactorNeverRan)
            }
        }
        if !context.telegramEnabled {
            reasons.append(.alertsNotDelivered)
        } else if let alerts = facts.alerts {
            if let refusal = facts.telegramRefusal { reasons.append(.telegramRefuses(refusal)) }
            if let oldest = alerts.oldestPendingAt,
                facts.now.millisecondsSinceEpoch - oldest.millisecondsSinceEpoch > context.alertDeliveryGraceSeconds * 1000
            {
                reasons.append(.alertsWaiting(count: alerts.pending.count))
            }
        }
        self.init(status: failing ? .failing : (reasons.isEmpty ? .ok : .degraded), reasons: reasons)
    }
}

extension HealthAssessment.Reason {
    /// The reason as `/api/health/detailed` has always worded it (scripts may match these strings).
    var english: String {
        switch self {
        case .unreadable(let error): "the event log or the read models cannot be read: \(error)"
        case .conservationFailed(let received, let inQueue):
            "conservation check failed: received \(received) ≠ \(inQueue) in the queue"
        case .lowDisk(let free): "free disk is \(free / 1_048_576) MiB"
        case .oldestPendingWaits(let seconds): "oldest pending lead waits \(seconds / 60) min"
        case .projectionsBehind(let events): "projections are \(events) events behind the log"
        case .crmDisabled: "CRM sync disabled: LEADLEDGER_AMOCRM_BASE_URL not set"
        case .circuitOpen: "AmoCRM circuit open: leads wait, the reactor probes"
        case .reactorSilent(let seconds): "reactor not running: last heard from \(seconds) s ago"
        case .reactorNeverRan: "reactor has never run on this log"
        case .alertsNotDelivered: "alerts not delivered: LEADLEDGER_TELEGRAM_BOT_TOKEN not set"
        case .telegramRefuses(let reason): "Telegram refuses alerts: \(reason)"
        case .alertsWaiting(let count): "\(count) alerts waiting for Telegram"
        case .descriptorsHigh(let open, let limit): "\(open) of \(limit) file descriptors open: new connections will be refused"
        }
    }

}
