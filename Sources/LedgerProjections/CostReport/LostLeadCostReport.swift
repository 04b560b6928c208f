import Foundation
import GRDB
import LedgerCore

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

        enum CodingKeys: String, CodingKey {
            case received, delivered
            case deliveredLate = "delivered_late"
            case pending, dead, spam
            case savedByRetries = "saved_by_retries"
        }
    }

    public struct SourceLine: Sendable, Equatable, Codable {
        /// `utm_source`, or `(none)`.
        public var source: String
        public var figures: Figures

        public init(source: String, figures: Figures) {
            self.source = source
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

    public var day: String
    public var timeZone: String
    public var generatedAt: Timestamp
    public var deliverySLASeconds: Int64
    public var leadCost: Decimal
    public var currency: String
    public var totals: Figures
    public var delays: Delays
    public var bySource: [SourceLine]
    /// Last error class of leads that failed at least once, most frequent first.
    public var failureReasons: [String: Int]

    public func value(of count: Int) -> Decimal { leadCost * Decimal(count) }

    enum CodingKeys: String, CodingKey {
        case day
        case timeZone = "time_zone"
        case generatedAt = "generated_at"
        case deliverySLASeconds = "delivery_sla_s"
        case leadCost = "lead_cost"
        case currency, totals, delays
        case bySource = "by_utm_source"
        case failureReasons = "failure_reasons"
    }

    /// Builds the report for `day` from the `cost_report_lead` read model. States are as of now: a lead from that day
    /// still pending is money at risk, not yet lost.
    public static func build(
        _ store: ReadModelStore, day: ReportDay, settings: Settings, now: Timestamp
    ) throws -> LostLeadCostReport {
        let (start, end) = try day.interval()
        return try store.database.read { db in
            var totals = Figures()
            var bySource: [String: Figures] = [:]
            var delays: [Int64] = []
            var reasons: [String: Int] = [:]
            if try db.tableExists(CostReportEntry.databaseTableName) {
                let cursor = try CostReportEntry.fetchCursor(
                    db,
                    sql:
                        "SELECT \(CostReportEntry.columns) FROM cost_report_lead WHERE received_at >= ? AND received_at < ? ORDER BY received_at",
                    arguments: [start.millisecondsSinceEpoch, end.millisecondsSinceEpoch])
                while let entry = try cursor.next() {
                    totals.count(entry, slaSeconds: settings.deliverySLASeconds)
                    bySource[entry.utmSource ?? "(none)", default: Figures()].count(
                        entry, slaSeconds: settings.deliverySLASeconds)
                    if entry.state == .synced, let delay = entry.delaySeconds { delays.append(delay) }
                    if entry.failures > 0, let reason = entry.lastErrorClass { reasons[reason.rawValue, default: 0] += 1 }
                }
            }
            return LostLeadCostReport(
                day: day.description, timeZone: settings.timeZone.identifier, generatedAt: now,
                deliverySLASeconds: settings.deliverySLASeconds, leadCost: settings.leadCost, currency: settings.currency,
                totals: totals, delays: Delays(percentilesOf: delays),
                bySource: bySource.map { SourceLine(source: $0.key, figures: $0.value) }
                    .sorted { ($0.figures.received, $1.source) > ($1.figures.received, $0.source) },
                failureReasons: reasons)
        }
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
