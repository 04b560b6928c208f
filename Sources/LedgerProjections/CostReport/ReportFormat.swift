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
        let totals = report.totals
        let verdict = totals.reconciles ? "reconciles" : "DOES NOT RECONCILE"
        return
            "received \(totals.received) = delivered \(totals.delivered) + pending \(totals.pending) + dead \(totals.dead) + spam \(totals.spam): \(verdict)"
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
        for line in lines.lines { out += "| \(line.label) | \(line.count) | \(lines.money(of: line)) |\n" }
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
            let value = line.priced.map { "\(report.value(of: $0))" } ?? ""
            out += row([report.day, "total", line.key, "\(line.count)", value, line.priced == nil ? "" : report.currency])
        }
        for line in report.bySource {
            let figures = line.figures
            for (key, count, priced) in [
                ("received", figures.received, figures.received - figures.spam),
                ("delivered", figures.delivered, figures.delivered), ("pending", figures.pending, figures.pending),
                ("dead", figures.dead, figures.dead), ("spam", figures.spam, nil),
            ] {
                let value = priced.map { "\(report.value(of: $0))" } ?? ""
                out += row([
                    report.day, "utm_source:\(line.source)", key, "\(count)", value, priced == nil ? "" : report.currency,
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
            rows += "<tr><td>\(html(line.label))</td><td>\(line.count)</td><td>\(html(lines.money(of: line)))</td></tr>\n"
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
