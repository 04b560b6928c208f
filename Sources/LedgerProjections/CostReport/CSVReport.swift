import Foundation
import LedgerCore

/// The report for spreadsheets: one `day,section,item,leads,value,currency` row per figure, the reconciliation as a
/// row of its own.
struct CSVReport {
    let report: LostLeadCostReport

    func render() -> String {
        var out = "day,section,item,leads,value,currency\n"
        let lines = ReportLines(report: report)
        for line in lines.lines {
            let value = line.priced.map { "\(report.value(of: $0))" } ?? ""
            out += row([report.day, "total", line.key, "\(line.count)", value, line.priced == nil ? "" : report.currency])
        }
        out += row([report.day, "reconciliation", lines.reconciliation, "", "", ""])
        for (key, value) in [
            ("p50_s", report.delays.p50Seconds), ("p95_s", report.delays.p95Seconds), ("max_s", report.delays.maxSeconds),
        ] {
            out += row([report.day, "delay", key, value.map { "\($0)" } ?? "", "", ""])
        }
        out += row([report.day, "operations", "restarts", "\(report.restarts.restarts)", "", ""])
        out += row([report.day, "operations", "unclean_restarts", "\(report.restarts.unclean)", "", ""])
        out += row([report.day, "operations", "alerts_raised", "\(report.alertsRaised.total)", "", ""])
        for (kind, count) in report.alertsRaised.byKind.sorted(by: { ($0.value, $1.key) > ($1.value, $0.key) }) {
            out += row([report.day, "alerts_raised", kind, "\(count)", "", ""])
        }
        for (reason, count) in lines.failureReasons {
            out += row([report.day, "failure_reason", reason, "\(count)", "", ""])
        }
        for (tag, breakdown) in lines.breakdowns {
            for line in breakdown {
                let figures = line.figures
                for (key, count, priced) in [
                    ("received", figures.received, figures.received - figures.spam),
                    ("delivered", figures.delivered, figures.delivered), ("pending", figures.pending, figures.pending),
                    ("dead", figures.dead, figures.dead), ("spam", figures.spam, nil),
                ] {
                    let value = priced.map { "\(report.value(of: $0))" } ?? ""
                    out += row([
                        report.day, "\(tag):\(line.value)", key, "\(count)", value, priced == nil ? "" : report.currency,
                    ])
                }
            }
        }
        return out
    }

    /// RFC 4180 quoting; a leading formula character is neutralised so a spreadsheet never executes a UTM value.
    private func row(_ fields: [String]) -> String {
        fields.map { field in
            var value = field
            if let first = value.first, "=+-@".contains(first), Int(value) == nil { value = "'" + value }
            if value.contains(where: { ",\"\n\r".contains($0) }) {
                value = "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            }
            return value
        }.joined(separator: ",") + "\n"
    }
}
