import ArgumentParser
import Foundation
import LedgerCore
import LedgerProjections
import LedgerStore

/// `leadledger status`: the health view as JSON, for ops scripts and `make run` before the server exists.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Print the log head, projection lag, queue and conservation check as JSON.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let settings = try await global.settings()
        let log = try await global.openStore(settings)
        let health: HealthView
        let status: [String: Any]
        do {
            (health, status) = try await self.status(log, settings)
        } catch {
            await log.close()
            throw error
        }
        await log.close()
        let bytes = try JSONSerialization.data(
            withJSONObject: status, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
        writeOut(String(decoding: bytes, as: UTF8.self) + "\n")
        if !health.conservationHolds { throw ExitStatus.failureFound("status: conservation check FAILED") }
    }

    private func status(_ log: any EventStore, _ settings: LedgerSettings) async throws -> (HealthView, [String: Any]) {
        let runner = try await global.projected(log, settings)
        let now = SystemClock().now()
        let health = try HealthView.load(runner.store, now: now)
        let head = try await log.head()
        let status: [String: Any] = [
            "log": [
                "path": log.displayLocation, "last_seq": head?.seq ?? 0, "head_hash": head.map { $0.hash as Any } ?? NSNull(),
            ],
            "projections": try runner.status(head: head?.seq ?? 0).map {
                ["name": $0.name, "checkpoint": $0.checkpoint, "lag": $0.lag]
            },
            "queue": [
                "pending": health.queue.pending, "in_flight": health.queue.inFlight, "synced": health.queue.synced,
                "dead": health.queue.dead, "spam": health.queue.spam,
                "oldest_pending_age_s": health.oldestPendingAgeSeconds.map { $0 as Any } ?? NSNull(),
            ],
            "received_total": health.totals.receivedTotal,
            "consecutive_crm_failures": health.totals.consecutiveCRMFailures,
            "alerts_total": health.totals.alertsTotal,
            "conservation": [
                "holds": health.conservationHolds,
                "rule": "received = synced + pending + in_flight + dead + spam",
            ],
            "crm": settings.amoCRM == nil ? "disabled: LEADLEDGER_AMOCRM_BASE_URL not set" : "configured",
            "telegram": settings.telegram == nil ? "disabled: LEADLEDGER_TELEGRAM_BOT_TOKEN not set" : "configured",
        ]
        return (health, status)
    }
}
