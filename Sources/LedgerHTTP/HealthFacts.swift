import Foundation
import LedgerCore
import LedgerProjections
import LedgerStore

/// What the server's health is judged from, read once per request: the log's head, the read models, the reactor's
/// heartbeat and the disk. `/api/health/detailed` and the dashboard read the same facts and judge them with the same
/// rules (`HealthAssessment`), so the two pages can never disagree.
struct HealthFacts: Sendable {
    var now: Timestamp
    var head: ChainHead?
    var health: HealthView
    var projections: [ProjectionStatus]
    var heartbeat: ReactorHeartbeat?
    var fileBytes: Int64?
    var freeBytes: Int64?
    /// Telegram delivery of alerts (pending, last sent, a refusal); nil when it cannot be read.
    var alerts: AlertDeliveryStatus?
    /// Whether the reactor's Telegram channel is blocked now; nil when delivery never ran on this log.
    var telegramChannel: TelegramChannelStatus? = nil
    /// Restarts of `serve` and `react` since midnight in the configured time zone; nil when they cannot be read.
    var restarts: RestartCounts?
    /// This process's open descriptors and its limit; `open` is nil without procfs.
    var descriptors: (open: Int?, limit: Int) = (Descriptors.open(), Descriptors.limit())

    /// Seconds since the reactor last wrote its heartbeat; nil when it never ran on this log.
    var heartbeatAgeSeconds: Int64? {
        heartbeat.map { max(0, (now.millisecondsSinceEpoch - $0.updatedAt.millisecondsSinceEpoch) / 1000) }
    }

    /// Why Telegram cannot reach the owner: the channel blocked now, or a message it refused for good.
    var telegramRefusal: String? { telegramChannel?.blockedReason ?? alerts?.refusal }

    /// Whether Telegram cannot reach the owner; nil when neither the channel's status nor the deliveries can be read.
    var telegramBroken: Bool? { alerts == nil && telegramChannel == nil ? nil : telegramRefusal != nil }

    /// How far the slowest projector is behind the log.
    var maxProjectionLag: Int64 { projections.map(\.lag).max() ?? 0 }

    /// Reads every fact; throws when the log or the read models cannot be read (health is then `failing`).
    static func read(
        log: any EventStore, runner: ProjectionRunner, localState: String, now: Timestamp, timeZone: TimeZone
    ) async throws -> HealthFacts {
        // Today, in the configured zone, as the daily report counts it.
        let midnight = try? ReportDay(containing: now, timeZone: timeZone).interval().start
        let head = try await log.head()
        var restarts: RestartCounts?
        if let midnight { restarts = try? await log.restarts(since: midnight) }
        return HealthFacts(
            now: now, head: head, health: try HealthView.load(runner.store, now: now),
            projections: try runner.status(head: head?.seq ?? 0), heartbeat: ReactorHeartbeat.read(forLog: localState),
            fileBytes: await log.storedBytes(), freeBytes: HostFacts.freeDiskBytes(forLog: localState),
            alerts: try? await log.alertDeliveryStatus(), telegramChannel: TelegramChannelStatus.read(forLog: localState),
            restarts: restarts)
    }

}
