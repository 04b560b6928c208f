import Foundation
import LedgerCore

/// The report for a browser or an e-mail: one self-contained page, every value escaped.
struct HTMLReport {
    let report: LostLeadCostReport

    func render() -> String {
        let lines = ReportLines(report: report)
        var rows = ""
        for line in lines.lines {
            rows += "<tr><td>\(html(line.label))</td><td>\(line.count)</td><td>\(html(lines.money(of: line)))</td></tr>\n"
        }
        var breakdowns = ""
        for (tag, breakdown) in lines.breakdowns {
            breakdowns += "<h2>By \(html(tag))</h2>\n<table><tr><th>\(html(tag))</th><th>received</th><th>delivered</th>"
            breakdowns += "<th>pending</th><th>dead</th><th>spam</th><th>lost value</th></tr>\n"
            for line in breakdown {
                let figures = line.figures
                breakdowns += "<tr><td>\(html(line.value))</td><td>\(figures.received)</td><td>\(figures.delivered)</td>"
                breakdowns += "<td>\(figures.pending)</td><td>\(figures.dead)</td><td>\(figures.spam)</td>"
                breakdowns += "<td>\(html(lines.money(figures.dead)))</td></tr>\n"
            }
            breakdowns += "</table>\n"
        }
        var reasons = ""
        if !lines.failureReasons.isEmpty {
            reasons = "<h2>Top failure reasons</h2>\n<ul>\n"
            for (reason, count) in lines.failureReasons { reasons += "<li>\(html(reason)): \(count)</li>\n" }
            reasons += "</ul>\n"
        }
        let saved = report.totals.savedByRetries
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>Lost-lead cost report \(html(report.day))</title>
            <style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}td:first-child,th:first-child{text-align:left}</style>
            </head><body>
            <h1>Lost-lead cost report: \(html(report.day)) (\(html(report.timeZone)))</h1>
            <p>Lead cost \(html("\(report.leadCost) \(report.currency)")). Generated \(html(report.generatedAt.iso8601)).</p>
            <table><tr><th></th><th>leads</th><th>value</th></tr>
            \(rows)</table>
            <p>What the ledger saved you: \(saved) leads delivered by a retry, \(html(lines.money(saved))).</p>
            <p>Delivery delay: p50 \(html(lines.seconds(report.delays.p50Seconds))), p95 \(html(lines.seconds(report.delays.p95Seconds))), max \(html(lines.seconds(report.delays.maxSeconds))).</p>
            <p>Check: \(html(lines.reconciliation)).</p>
            <p>\(html(lines.operations))</p>
            \(reasons)\(breakdowns)</body></html>

            """
    }

    private func html(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
