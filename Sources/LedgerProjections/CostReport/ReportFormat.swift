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

/// Rows shared by every text format: one label, count and money per line, in the order an owner reads them.
struct ReportLines {
    let report: LostLeadCostReport

    var lines: [(label: String, key: String, count: Int)] {
        let totals = report.totals
        return [
            ("Received", "received", totals.received),
            ("Delivered on time", "delivered_on_time", totals.deliveredOnTime),
            ("Delivered late (> \(report.deliverySLASeconds) s)", "delivered_late", totals.deliveredLate),
            ("Pending (at risk)", "pending", totals.pending),
            ("Dead (lost)", "dead", totals.dead),
            ("Saved by retries", "saved_by_retries", totals.savedByRetries),
        ]
    }

    func money(_ count: Int) -> String { "\(report.value(of: count)) \(report.currency)" }

    var reconciliation: String {
        let totals = report.totals
        let verdict = totals.reconciles ? "reconciles" : "DOES NOT RECONCILE"
        return
            "received \(totals.received) = delivered \(totals.delivered) + pending \(totals.pending) + dead \(totals.dead): \(verdict)"
    }

    func seconds(_ value: Int64?) -> String { value.map { "\($0) s" } ?? "n/a" }
}

struct MarkdownReport {
    let report: LostLeadCostReport

    func render() -> String {
        let lines = ReportLines(report: report)
        var out = "# Lost-lead cost report: \(report.day) (\(report.timeZone))\n\n"
        out += "Lead cost \(report.leadCost) \(report.currency). Generated \(report.generatedAt.iso8601).\n\n"
        out += "| | leads | value |\n| --- | ---: | ---: |\n"
        for line in lines.lines { out += "| \(line.label) | \(line.count) | \(lines.money(line.count)) |\n" }
        out +=
            "\nDelivery delay: p50 \(lines.seconds(report.delays.p50Seconds)), p95 \(lines.seconds(report.delays.p95Seconds)), "
        out += "max \(lines.seconds(report.delays.maxSeconds)).\n\n"
        out += "Check: \(lines.reconciliation).\n\n"
        out +=
            "## By utm_source\n\n| source | received | delivered | pending | dead | lost value |\n| --- | ---: | ---: | ---: | ---: | ---: |\n"
        for line in report.bySource {
            let figures = line.figures
            out += "| \(escape(line.source)) | \(figures.received) | \(figures.delivered) | \(figures.pending) | \(figures.dead) "
            out += "| \(lines.money(figures.dead)) |\n"
        }
        if !report.failureReasons.isEmpty {
            out += "\n## Failure reasons\n\n"
            for (reason, count) in report.failureReasons.sorted(by: { ($0.value, $1.key) > ($1.value, $0.key) }) {
                out += "- \(reason): \(count)\n"
            }
        }
        return out
    }

    private func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }
}

struct CSVReport {
    let report: LostLeadCostReport

    func render() -> String {
        var out = "day,section,item,leads,value,currency\n"
        let lines = ReportLines(report: report)
        for line in lines.lines {
            out += row([report.day, "total", line.key, "\(line.count)", "\(report.value(of: line.count))", report.currency])
        }
        for line in report.bySource {
            for (key, count) in [
                ("received", line.figures.received), ("delivered", line.figures.delivered),
                ("pending", line.figures.pending), ("dead", line.figures.dead),
            ] {
                out += row([
                    report.day, "utm_source:\(line.source)", key, "\(count)", "\(report.value(of: count))", report.currency,
                ])
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

struct HTMLReport {
    let report: LostLeadCostReport

    func render() -> String {
        let lines = ReportLines(report: report)
        var rows = ""
        for line in lines.lines {
            rows += "<tr><td>\(html(line.label))</td><td>\(line.count)</td><td>\(html(lines.money(line.count)))</td></tr>\n"
        }
        var sources = ""
        for line in report.bySource {
            let figures = line.figures
            sources += "<tr><td>\(html(line.source))</td><td>\(figures.received)</td><td>\(figures.delivered)</td>"
            sources += "<td>\(figures.pending)</td><td>\(figures.dead)</td><td>\(html(lines.money(figures.dead)))</td></tr>\n"
        }
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>Lost-lead cost report \(html(report.day))</title>
            <style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}td:first-child,th:first-child{text-align:left}</style>
            </head><body>
            <h1>Lost-lead cost report: \(html(report.day)) (\(html(report.timeZone)))</h1>
            <p>Lead cost \(html("\(report.leadCost) \(report.currency)")). Generated \(html(report.generatedAt.iso8601)).</p>
            <table><tr><th></th><th>leads</th><th>value</th></tr>
            \(rows)</table>
            <p>Delivery delay: p50 \(html(lines.seconds(report.delays.p50Seconds))), p95 \(html(lines.seconds(report.delays.p95Seconds))), max \(html(lines.seconds(report.delays.maxSeconds))).</p>
            <p>Check: \(html(lines.reconciliation)).</p>
            <h2>By utm_source</h2>
            <table><tr><th>source</th><th>received</th><th>delivered</th><th>pending</th><th>dead</th><th>lost value</th></tr>
            \(sources)</table>
            </body></html>

            """
    }

    private func html(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
