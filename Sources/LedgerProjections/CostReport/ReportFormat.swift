import Foundation
import LedgerCore

/// The formats a cost report is written in: Markdown for people, CSV for spreadsheets, JSON for scripts, HTML for
/// the browser and e-mail.
public enum ReportFormat: String, CaseIterable, Sendable {
    case md, csv, json, html

    public func render(_ report: LostLeadCostReport) throws -> String {
        switch self {
        case .md: MarkdownReport(report: report).render()
        case .csv: CSVReport(report: report).render()
        case .json: try EventJSON.encode(report) + "\n"
        case .html: HTMLReport(report: report).render()
        }
    }
}

/// One line of the totals table.
struct ReportLine {
    var label: String
    var key: String
    var count: Int
    /// How many of `count` carry the lead cost; nil when the line has no money value.
    var priced: Int?

    init(_ label: String, _ key: String, _ count: Int, priced: Int?) {
        self.label = label
        self.key = key
        self.count = count
        self.priced = priced
    }

    init(_ label: String, _ key: String, _ count: Int) {
        self.init(label, key, count, priced: count)
    }
}

/// Rows shared by every text format: one label, count and money per line, in the order an owner reads them.
struct ReportLines {
    let report: LostLeadCostReport

    /// `priced` is how many of `count` were paid leads: spam was never one, so it has no value (not a value of
    /// zero), and "received" is priced without it.
    var lines: [ReportLine] {
        let totals = report.totals
        return [
            ReportLine("Received", "received", totals.received, priced: totals.received - totals.spam),
            ReportLine("Delivered on time", "delivered_on_time", totals.deliveredOnTime),
            ReportLine("Delivered late (> \(report.deliverySLASeconds) s)", "delivered_late", totals.deliveredLate),
            ReportLine("Pending (at risk)", "pending", totals.pending),
            ReportLine("Dead (lost)", "dead", totals.dead),
            ReportLine("Spam (honeypot, not a lead)", "spam", totals.spam, priced: nil),
            ReportLine("Saved by retries", "saved_by_retries", totals.savedByRetries),
        ]
    }

    func money(_ count: Int) -> String { "\(report.value(of: count)) \(report.currency)" }

    /// The money column of a line: "-" for an unpriced line.
    func money(of line: ReportLine) -> String { line.priced.map(money) ?? "-" }

    var reconciliation: String {
        "\(report.reconciliation.statement): \(report.reconciliation.holds ? "reconciles" : "DOES NOT RECONCILE")"
    }

    /// The day's restarts and alerts, one sentence.
    var operations: String {
        var text = "Restarts: \(report.restarts.restarts) (unclean: \(report.restarts.unclean)). "
        text += "Alerts raised: \(report.alertsRaised.total)"
        let kinds = report.alertsRaised.byKind.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
        if !kinds.isEmpty { text += " (" + kinds.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + ")" }
        return text + "."
    }

    /// Failure reasons, most frequent first.
    var failureReasons: [(reason: String, count: Int)] {
        report.failureReasons.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { ($0.key, $0.value) }
    }

    /// The breakdowns in the order they are shown: the UTM tag's name and its lines.
    var breakdowns: [(tag: String, lines: [LostLeadCostReport.BreakdownLine])] {
        [("utm_source", report.bySource), ("utm_campaign", report.byCampaign)]
    }

    func seconds(_ value: Int64?) -> String { value.map { "\($0) s" } ?? "n/a" }
}
