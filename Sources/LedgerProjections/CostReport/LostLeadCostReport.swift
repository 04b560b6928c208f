import Foundation
import GRDB
import LedgerCore
import LedgerStore

/// What a day's leads became, and what that is worth: the owner's nightly answer to "what did failures cost me".
///
/// Figures reconcile by construction and the report states it: received = delivered + pending + dead + spam. Spam is
/// shown apart and carries no money: it was never a paid lead.
public struct LostLeadCostReport: Sendable, Equatable, Codable {
    public struct Settings: Sendable {
        public var timeZone: TimeZone
        /// A lead delivered later than this after arrival counts as late. `LEADLEDGER_DELIVERY_SLA_S`, default 300.
        public var deliverySLASeconds: Int64
        public var leadCost: Decimal
        public var currency: String

        public init(timeZone: TimeZone, deliverySLASeconds: Int64 = 300, leadCost: Decimal = 100, currency: String = "RUB") {
            self.timeZone = timeZone
            self.deliverySLASeconds = deliverySLASeconds
            self.leadCost = leadCost
            self.currency = currency
        }
    }

    /// Counts and money for one group of leads (the whole day, or one `utm_source`).
    public struct Figures: Sendable, Equatable, Codable {
        public var received = 0
        public var delivered = 0
        public var deliveredLate = 0
        public var pending = 0
        public var dead = 0
        /// Recorded as spam (honeypot): not a lead, never synced, worth nothing.
        public var spam = 0
        /// Failed at least once, delivered later: what retrying rescued.
        public var savedByRetries = 0

        public init() {}

        public var deliveredOnTime: Int { delivered - deliveredLate }
        public var reconciles: Bool { received == delivered + pending + dead + spam }

        mutating func count(_ entry: CostReportEntry, slaSeconds: Int64) {
            received += 1
            switch entry.state {
            case .synced:
                delivered += 1
                if entry.failures > 0 { savedByRetries += 1 }
                if let delay = entry.delaySeconds, delay > slaSeconds { deliveredLate += 1 }
            case .pending, .inFlight:
                pending += 1
            case .dead:
                dead += 1
            case .spam:
                spam += 1
            }
        }

        mutating func add(_ other: Figures) {
            received += other.received
            delivered += other.delivered
            deliveredLate += other.deliveredLate
            pending += other.pending
            dead += other.dead
            spam += other.spam
            savedByRetries += other.savedByRetries
        }

        enum CodingKeys: String, CodingKey {
            case received, delivered
            case deliveredLate = "delivered_late"
            case pending, dead, spam
            case savedByRetries = "saved_by_retries"
        }
    }

    /// One value of a breakdown (`utm_source` or `utm_campaign`): `(none)` when the lead had none, `(other)` for the
    /// values beyond the `maxBreakdownLines` largest, folded into one line so a report stays bounded whatever a
    /// landing page puts into its UTM tags.
    public struct BreakdownLine: Sendable, Equatable, Codable {
        public var value: String
        public var figures: Figures

        public init(value: String, figures: Figures) {
            self.value = value
            self.figures = figures
        }
    }

    public struct Delays: Sendable, Equatable, Codable {
        public var p50Seconds: Int64?
        public var p95Seconds: Int64?
        public var maxSeconds: Int64?

        enum CodingKeys: String, CodingKey {
            case p50Seconds = "p50_s"
            case p95Seconds = "p95_s"
            case maxSeconds = "max_s"
        }
    }

    /// Each line of the totals in money: count × lead cost. Spam was never a paid lead, so "received" counts the
    /// paid ones only.
    public struct Money: Sendable, Equatable, Codable {
        public var received: Decimal
        public var delivered: Decimal
        public var deliveredOnTime: Decimal
        public var deliveredLate: Decimal
        public var pendingAtRisk: Decimal
        public var deadLost: Decimal
        /// "What the ledger saved you": leads that failed at least once and were delivered by a retry.
        public var savedByRetries: Decimal

        init(_ totals: Figures, leadCost: Decimal) {
            func value(_ count: Int) -> Decimal { leadCost * Decimal(count) }
            received = value(totals.received - totals.spam)
            delivered = value(totals.delivered)
            deliveredOnTime = value(totals.deliveredOnTime)
            deliveredLate = value(totals.deliveredLate)
            pendingAtRisk = value(totals.pending)
            deadLost = value(totals.dead)
            savedByRetries = value(totals.savedByRetries)
        }

        enum CodingKeys: String, CodingKey {
            case received, delivered
            case deliveredOnTime = "delivered_on_time"
            case deliveredLate = "delivered_late"
            case pendingAtRisk = "pending_at_risk"
            case deadLost = "dead_lost"
            case savedByRetries = "saved_by_retries"
        }
    }

    /// Starts of `serve` and `react` during the day that followed an earlier run, and those whose previous run had
    /// ended without a clean stop (crashes, kills, power cuts).
    public struct Restarts: Sendable, Equatable, Codable {
        public var restarts = 0
        public var unclean = 0

        public init(restarts: Int = 0, unclean: Int = 0) {
            self.restarts = restarts
            self.unclean = unclean
        }
    }

    /// `AlertRaised` recorded during the day, by kind.
    public struct AlertsRaised: Sendable, Equatable, Codable {
        public var total = 0
        public var byKind: [String: Int] = [:]

        public init(total: Int = 0, byKind: [String: Int] = [:]) {
            self.total = total
            self.byKind = byKind
        }

        enum CodingKeys: String, CodingKey {
            case total
            case byKind = "by_kind"
        }
    }

    /// The reconciliation stated in every format: received = delivered + pending + dead + spam.
    public struct Reconciliation: Sendable, Equatable, Codable {
        public var holds: Bool
        public var statement: String

        init(_ totals: Figures) {
            holds = totals.reconciles
            statement =
                "received \(totals.received) = delivered \(totals.delivered) + pending \(totals.pending) + dead \(totals.dead) + spam \(totals.spam)"
        }
    }

    /// Lines per breakdown; the rest fold into `(other)`.
    public static let maxBreakdownLines = 20

    public var day: String
    public var timeZone: String
    public var generatedAt: Timestamp
    public var deliverySLASeconds: Int64
    public var leadCost: Decimal
    public var currency: String
    public var totals: Figures
    public var money: Money
    public var reconciliation: Reconciliation
    public var delays: Delays
    public var bySource: [BreakdownLine]
    public var byCampaign: [BreakdownLine]
    /// Last error class of leads that failed at least once (a closed set, `SyncErrorClass`), by count.
    public var failureReasons: [String: Int]
    public var restarts: Restarts
    public var alertsRaised: AlertsRaised

    public func value(of count: Int) -> Decimal { leadCost * Decimal(count) }

    enum CodingKeys: String, CodingKey {
        case day
        case timeZone = "time_zone"
        case generatedAt = "generated_at"
        case deliverySLASeconds = "delivery_sla_s"
        case leadCost = "lead_cost"
        case currency, totals, money, reconciliation, delays
        case bySource = "by_utm_source"
        case byCampaign = "by_utm_campaign"
        case failureReasons = "failure_reasons"
        case restarts
        case alertsRaised = "alerts_raised"
    }

    /// The report as the owner gets it, the one builder behind `leadledger report`, `GET /api/admin/reports/daily`
    /// and `react`'s nightly run, so the three agree for the same log: the read models are brought up to the log's
    /// head, the day's leads come from `cost_report_lead`, its restarts and alerts from the log's system streams.
    public static func build(
        runner: ProjectionRunner, log: any EventStore, day: ReportDay, settings: Settings, now: Timestamp
    ) async throws -> LostLeadCostReport {
        try await runner.catchUp()
        let operations = try await DayOperations.read(log, day: day)
        var report = try build(runner.store, day: day, settings: settings, now: now)
        report.add(operations)
        return report
    }

    /// A day's restarts and alerts raised, read from the log's system streams.
    public struct DayOperations: Sendable {
        public var restarts: RestartCounts
        public var raised: [String: Int]

        public static func read(_ log: any EventStore, day: ReportDay) async throws -> DayOperations {
            let (start, end) = try day.interval()
            return DayOperations(
                restarts: try await log.restarts(since: start, until: end),
                raised: try await log.alertsRaised(from: start, to: end))
        }
    }

    /// Fills in the day's restarts and alerts: the part of the report that the lead read model does not hold.
    public mutating func add(_ operations: DayOperations) {
        restarts = Restarts(restarts: operations.restarts.restarts, unclean: operations.restarts.unclean)
        alertsRaised = AlertsRaised(
            total: operations.raised.values.reduce(0, +),
            byKind: Self.bounded(operations.raised, limit: Self.maxBreakdownLines))
    }

    /// The day's leads only, from the `cost_report_lead` read model as it stands (no catch-up, no restarts or
    /// alerts): what the dashboard's "today" needs. States are as of now: a lead from that day still pending is
    /// money at risk, not yet lost.
    public static func build(
        _ store: ReadModelStore, day: ReportDay, settings: Settings, now: Timestamp
    ) throws -> LostLeadCostReport {
        let (start, end) = try day.interval()
        return try store.database.read { db in
            var totals = Figures()
            var bySource: [String: Figures] = [:]
            var byCampaign: [String: Figures] = [:]
            var delays: [Int64] = []
            var reasons: [String: Int] = [:]
            if try db.tableExists(CostReportEntry.databaseTableName) {
                let cursor = try CostReportEntry.fetchCursor(
                    db,
                    sql:
                        "SELECT \(CostReportEntry.columns) FROM cost_report_lead WHERE received_at >= ? AND received_at < ? ORDER BY received_at",
                    arguments: [start.millisecondsSinceEpoch, end.millisecondsSinceEpoch])
                let sla = settings.deliverySLASeconds
                while let entry = try cursor.next() {
                    totals.count(entry, slaSeconds: sla)
                    bySource[entry.utmSource ?? noValue, default: Figures()].count(entry, slaSeconds: sla)
                    byCampaign[entry.utmCampaign ?? noValue, default: Figures()].count(entry, slaSeconds: sla)
                    if entry.state == .synced, let delay = entry.delaySeconds { delays.append(delay) }
                    if entry.failures > 0, let reason = entry.lastErrorClass { reasons[reason.rawValue, default: 0] += 1 }
                }
            }
            return LostLeadCostReport(
                day: day.description, timeZone: settings.timeZone.identifier, generatedAt: now,
                deliverySLASeconds: settings.deliverySLASeconds, leadCost: settings.leadCost, currency: settings.currency,
                totals: totals, money: Money(totals, leadCost: settings.leadCost), reconciliation: Reconciliation(totals),
                delays: Delays(percentilesOf: delays), bySource: breakdown(bySource), byCampaign: breakdown(byCampaign),
                failureReasons: reasons, restarts: Restarts(), alertsRaised: AlertsRaised())
        }
    }

    /// The breakdown value of a lead without that UTM tag.
    public static let noValue = "(none)"
    /// The line that folds the values beyond `maxBreakdownLines`.
    public static let otherValues = "(other)"

    /// Largest first (ties by value), at most `maxBreakdownLines` of them, the rest summed into `(other)` (last).
    public static func breakdown(_ groups: [String: Figures]) -> [BreakdownLine] {
        let sorted = groups.map { BreakdownLine(value: $0.key, figures: $0.value) }
            .sorted { ($0.figures.received, $1.value) > ($1.figures.received, $0.value) }
        guard sorted.count > maxBreakdownLines else { return sorted }
        var other = Figures()
        for line in sorted.dropFirst(maxBreakdownLines) { other.add(line.figures) }
        return Array(sorted.prefix(maxBreakdownLines)) + [BreakdownLine(value: otherValues, figures: other)]
    }

    /// The `limit` largest counts, the rest summed under `(other)`.
    static func bounded(_ counts: [String: Int], limit: Int) -> [String: Int] {
        let sorted = counts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
        guard sorted.count > limit else { return counts }
        var kept = Dictionary(uniqueKeysWithValues: sorted.prefix(limit).map { ($0.key, $0.value) })
        kept[otherValues, default: 0] += sorted.dropFirst(limit).reduce(0) { $0 + $1.value }
        return kept
    }

    /// The compact figures `ReportProduced` carries and the Telegram summary shows.
    public var summary: ReportSummary {
        ReportSummary(
            received: totals.received, delivered: totals.delivered, deliveredLate: totals.deliveredLate,
            pending: totals.pending, dead: totals.dead, spam: totals.spam, savedByRetries: totals.savedByRetries,
            leadCost: "\(leadCost)", currency: currency, restarts: restarts.restarts, uncleanRestarts: restarts.unclean,
            alertsRaised: alertsRaised.total)
    }
}

extension LostLeadCostReport.Delays {
    /// Nearest-rank percentiles, in whole seconds.
    init(percentilesOf values: [Int64]) {
        let sorted = values.sorted()
        func rank(_ fraction: Double) -> Int64? {
            guard !sorted.isEmpty else { return nil }
            let index = Int((fraction * Double(sorted.count)).rounded(.up)) - 1
            return sorted[min(max(index, 0), sorted.count - 1)]
        }
        self.init(p50Seconds: rank(0.50), p95Seconds: rank(0.95), maxSeconds: sorted.last)
    }
}

extension CostReportEntry {
    var delaySeconds: Int64? {
        syncedAt.map { max(0, ($0.millisecondsSinceEpoch - receivedAt.millisecondsSinceEpoch) / 1000) }
    }
}
