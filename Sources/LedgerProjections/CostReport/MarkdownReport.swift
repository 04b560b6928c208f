import Foundation
import LedgerCore

/// The report for people: a totals table with money, the delays, the reconciliation, restarts and alerts, failure
/// reasons and the UTM breakdowns.
struct MarkdownReport {
    let report: LostLeadCostReport

    func render() -> String {
        let lines = ReportLines(report: report)
        var out = "# Lost-lead cost report: \(report.day) (\(report.timeZone))\n\n"
        out += "Lead cost \(report.leadCost) \(report.currency). Generated \(report.generatedAt.iso8601).\n\n"
        out += "| | leads | value |\n| --- | ---: | ---: |\n"
        for line in lines.lines { out += "| \(line.label) | \(line.count) | \(lines.money(of: line)) |\n" }
        out += "\nWhat the ledger saved you: \(report.totals.savedByRetries) leads delivered by a retry, "
        out += "\(lines.money(report.totals.savedByRetries)).\n\n"
        out +=
            "Delivery delay: p50 \(lines.seconds(report.delays.p50Seconds)), p95 \(lines.seconds(report.delays.p95Seconds)), "
        out += "max \(lines.seconds(report.delays.maxSeconds)).\n\n"
        out += "Check: \(lines.reconciliation).\n\n"
        out += "\(lines.operations)\n"
        let reasons = lines.failureReasons
        if !reasons.isEmpty {
            out += "\n## Top failure reasons\n\n"
            for (reason, count) in reasons { out += "- \(escape(reason)): \(count)\n" }
        }
        for (tag, breakdown) in lines.breakdowns {
            out += "\n## By \(tag)\n\n| \(tag) | received | delivered | pending | dead | spam | lost value |\n"
            out += "| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n"
            for line in breakdown {
                let figures = line.figures
                out += "| \(escape(line.value)) | \(figures.received) | \(figures.delivered) | \(figures.pending) "
                out += "| \(figures.dead) | \(figures.spam) | \(lines.money(figures.dead)) |\n"
            }
        }
        return out
    }

    private func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }
}
