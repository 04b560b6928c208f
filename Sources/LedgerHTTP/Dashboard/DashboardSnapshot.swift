import Foundation
import LedgerCore
import LedgerProjections
import LedgerStore

/// Everything the dashboard shows, read at one instant with bounded queries, and nothing it must not show.
///
/// The page is unauthenticated, so this type holds no personal data by construction: lead ids, counts, times, error
/// classes and HTTP statuses only. A dead lead's CRM error text is never copied here (the CRM may echo the phone or
/// name it was sent), and an alert's message is cut to the ledger's own words (`AlertLine.ownWords`).
struct DashboardSnapshot: Sendable {
    /// A dead-lettered lead as the list shows it.
    struct DeadLead: Sendable, Equatable {
        var leadID: String
        var receivedAt: Timestamp
        var errorClass: String?
        var httpStatus: Int?
    }

    /// An alert as the list shows it.
    struct AlertLine: Sendable, Equatable {
        var recordedAt: Timestamp
        var severity: String
        var kind: String
        var text: String

        /// The part of an alert message the ledger wrote itself. The reactor words an alert as "what happened: what
        /// AmoCRM answered" (`AmoCRM refused the lead: …`, `gave up after 48 attempts: …`); the answer may echo what
        /// was sent (a name, a phone), so the page keeps only what precedes the first ": ", at most 200 characters.
        static func ownWords(_ message: String) -> String {
            let head = message.range(of: ": ").map { String(message[..<$0.lowerBound]) } ?? message
            return head.count > 200 ? String(head.prefix(200)) + "…" : head
        }
    }

    /// Limits of the lists; each is the LIMIT of its query.
    static let maxAlerts = 10
    static let maxDeadLeads = 50
    static let chartHours = 24

    var now: Timestamp
    var verdict: HealthAssessment
    /// Nil when the log or the read models cannot be read; the page then shows the verdict alone.
    var facts: HealthFacts?
    var hours: [HourlyActivity] = []
    var alerts: [AlertLine] = []
    var today: LostLeadCostReport?
    var deadLeads: [DeadLead] = []
    var crmEnabled: Bool
    var adminEnabled: Bool
    var reactorSilenceSeconds: Int64

    /// Reads the snapshot. Never throws: what cannot be read becomes a `failing` verdict with its reason.
    static func read(
        log: any EventStore, runner: ProjectionRunner, localState: String, rules: HealthAssessment.Context,
        report: LostLeadCostReport.Settings,
        adminEnabled: Bool, now: Timestamp
    ) async -> DashboardSnapshot {
        var snapshot = DashboardSnapshot(
            now: now, verdict: HealthAssessment(status: .ok, reasons: []), facts: nil, crmEnabled: rules.crmEnabled,
            adminEnabled: adminEnabled, reactorSilenceSeconds: rules.reactorSilenceSeconds)
        do {
            let facts = try await HealthFacts.read(
                log: log, runner: runner, localState: localState, now: now, timeZone: rules.timeZone)
            snapshot.facts = facts
            snapshot.verdict = HealthAssessment(facts, rules)
            snapshot.hours = try HourlyActivity.lastHours(chartHours, endingAt: now, store: runner.store)
            snapshot.alerts = try await log.recentAlerts(limit: maxAlerts).map {
                AlertLine(
                    recordedAt: $0.recordedAt, severity: $0.severity.rawValue, kind: $0.kind, text: AlertLine.ownWords($0.message)
                )
            }
            let day = ReportDay(containing: now, timeZone: report.timeZone)
            snapshot.today = try LostLeadCostReport.build(runner.store, day: day, settings: report, now: now)
            snapshot.deadLeads = try RetryQueue(store: runner.store).newest(in: .dead, limit: maxDeadLeads).map {
                DeadLead(
                    leadID: $0.leadID.description, receivedAt: $0.receivedAt, errorClass: $0.lastErrorClass?.rawValue,
                    httpStatus: $0.lastHTTPStatus)
            }
        } catch {
            snapshot.verdict = .unreadable(error)
        }
        return snapshot
    }

    /// Dead leads beyond the ones listed.
    var moreDeadLeads: Int64 { max(0, (facts?.health.queue.dead ?? 0) - Int64(deadLeads.count)) }
}
