import LedgerCore
import LedgerProjections
import LedgerStore

/// `GET /`: the owner's one page. A `DashboardSnapshot` rendered as self-contained HTML (inline style, inline script,
/// inline SVG; nothing loaded from anywhere), in the configured language and time zone.
///
/// Everything dynamic enters through `HTML` interpolation, which escapes it. The lists are bounded by the snapshot's
/// queries, so the page stays a few tens of kilobytes however long the log is.
struct DashboardPage: Sendable {
    var snapshot: DashboardSnapshot
    var text: DashboardText
    var format: DashboardFormat
    var timeZoneName: String

    func render() -> String {
        let page: HTML = """
            <!doctype html>
            <html lang="\(text.language)">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="referrer" content="no-referrer">
            <noscript><meta http-equiv="refresh" content="30"></noscript>
            <title>\(text.title)</title>
            <style>\(DashboardStyle.css)</style>
            </head>
            <body data-token-saved="\(text.tokenSaved)" data-token-missing="\(text.tokenMissing)" \
            data-requeued="\(text.requeued)" data-token-rejected="\(text.tokenRejected)" \
            data-requeue-failed="\(text.requeueFailed)">
            <main>
            <header><h1>LeadLedger</h1><span class="muted">\(text.updated) \
            \(format.clockWithSeconds(snapshot.now)) (\(timeZoneName)) · \(text.refreshes)</span></header>
            \(banner())
            \(snapshot.facts == nil ? "" : body())
            </main>
            <script>\(DashboardScript.javaScript)</script>
            </body>
            </html>

            """
        return page.description
    }

    private func body() -> HTML {
        """
        <div class="grid">\(todayCard())\(queueCard())\(crmCard())</div>
        <div class="grid">\(charts())</div>
        <div class="grid">\(alertsCard())</div>
        <div class="grid">\(deadLettersCard())</div>
        """
    }

    private func banner() -> HTML {
        let verdict = snapshot.verdict
        let items = verdict.reasons.map { reason -> HTML in "<li>\(text.reason(reason, format))</li>" }
        let details: HTML = items.isEmpty ? "<span>\(text.noProblems)</span>" : "<ul>\(items)</ul>"
        return """
            <section class="banner status-\(verdict.status.rawValue)" role="status">\
            <strong>\(text.status[verdict.status] ?? verdict.status.rawValue)</strong>\(details)</section>
            """
    }

    private func row(_ label: String, _ value: String, _ tone: String = "") -> HTML {
        "<dt>\(label)</dt><dd class=\"\(tone)\">\(value)</dd>"
    }

    private func queueCard() -> HTML {
        let queue = snapshot.facts?.health.queue ?? QueueCounts()
        let oldest = snapshot.facts?.health.oldestPendingAgeSeconds.map { format.age(seconds: $0) } ?? text.nobodyWaits
        return """
            <section class="card"><h2>\(text.queue)</h2><dl>\
            \(row(text.pending, "\(queue.pending)"))\(row(text.inFlight, "\(queue.inFlight)"))\
            \(row(text.dead, "\(queue.dead)", queue.dead > 0 ? "bad" : ""))\(row(text.spam, "\(queue.spam)"))\
            \(row(text.oldestPending, oldest))</dl></section>
            """
    }

    private func crmCard() -> HTML {
        let totals = snapshot.facts?.health.totals ?? HealthTotals()
        let heartbeat = snapshot.facts?.heartbeat
        let reactor: (String, String) =
            switch snapshot.facts?.heartbeatAgeSeconds {
            case .some(let age) where age <= snapshot.reactorSilenceSeconds:
                ("\(text.reactorAlive) (\(format.age(seconds: age)) \(text.ago))", "good")
            case .some(let age): ("\(text.reactorSilent) \(format.age(seconds: age))", snapshot.crmEnabled ? "bad" : "")
            case .none: (text.reactorNever, snapshot.crmEnabled ? "bad" : "")
            }
        let circuit = heartbeat.map { text.circuitStates[$0.circuit] ?? $0.circuit } ?? "—"
        let circuitTone = heartbeat?.circuit == "open" ? "bad" : (heartbeat?.circuit == "half_open" ? "warn" : "")
        let lastSuccess =
            totals.lastSyncSuccessAt.map {
                "\(format.dayAndClock($0)) (\(format.age(seconds: (snapshot.now.millisecondsSinceEpoch - $0.millisecondsSinceEpoch) / 1000)) \(text.ago))"
            } ?? text.never
        let failures = totals.consecutiveCRMFailures
        return """
            <section class="card"><h2>\(text.crm)</h2><dl>\
            \(row(text.crmSync, snapshot.crmEnabled ? text.enabled : text.disabled, snapshot.crmEnabled ? "good" : "warn"))\
            \(row(text.reactor, reactor.0, reactor.1))\(row(text.circuit, circuit, circuitTone))\
            \(row(text.consecutiveFailures, "\(failures)", failures > 0 ? "warn" : ""))\
            \(row(text.lastSuccess, lastSuccess))</dl></section>
            """
    }

    private func todayCard() -> HTML {
        guard let report = snapshot.today else { return "" }
        let totals = report.totals
        func money(_ count: Int) -> String { format.money(report.value(of: count), currency: report.currency) }
        func line(_ label: String, _ count: Int, _ tone: String) -> HTML {
            """
            <dt>\(label)</dt><dd class="\(tone)"><span class="big">\(money(count))</span><br>\
            <span class="muted">\(text.leadCount(count))</span></dd>
            """
        }
        return """
            <section class="card"><h2>\(text.today), \(report.day)</h2><dl>\
            \(line(text.delivered, totals.delivered, "good"))\
            \(line(text.atRisk, totals.pending, totals.pending > 0 ? "warn" : ""))\
            \(line(text.lost, totals.dead, totals.dead > 0 ? "bad" : ""))\
            \(line(text.savedByRetries, totals.savedByRetries, ""))</dl></section>
            """
    }

    private func charts() -> HTML {
        let hours = snapshot.hours
        let labels = hours.map { format.hour($0.hourStart) + ":00" }
        let ticks = hours.map { format.hour($0.hourStart) }
        var received = SVGBarChart(
            series: [.init(name: text.received, cssClass: "bar-received", values: hours.map(\.received))], labels: labels,
            title: "\(text.receivedPerHour), \(text.last24Hours)")
        var delivery = SVGBarChart(
            series: [
                .init(name: text.delivered, cssClass: "bar-delivered", values: hours.map(\.delivered)),
                .init(name: text.failed, cssClass: "bar-failed", values: hours.map(\.failed)),
            ], labels: labels, title: "\(text.deliveredVsFailed), \(text.last24Hours)")
        received.tickLabels = ticks
        delivery.tickLabels = ticks
        let receivedTotal = hours.reduce(0) { $0 + $1.received }
        let spamTotal = hours.reduce(0) { $0 + $1.spam }
        let deliveredTotal = hours.reduce(0) { $0 + $1.delivered }
        let failedTotal = hours.reduce(0) { $0 + $1.failed }
        return """
            <section class="card"><h2>\(text.receivedPerHour) <span class="muted">\(text.last24Hours)</span></h2>\
            \(received.render())<div class="legend"><span><i class="received"></i>\(text.received): \(receivedTotal)</span>\
            <span>\(text.spam): \(spamTotal)</span></div></section>\
            <section class="card"><h2>\(text.deliveredVsFailed) <span class="muted">\(text.last24Hours)</span></h2>\
            \(delivery.render())<div class="legend"><span><i class="delivered"></i>\(text.delivered): \(deliveredTotal)</span>\
            <span><i class="failed"></i>\(text.failed): \(failedTotal)</span></div></section>
            """
    }

    private func alertsCard() -> HTML {
        guard !snapshot.alerts.isEmpty else {
            return "<section class=\"card\"><h2>\(text.alerts)</h2><p class=\"note\">\(text.noAlerts)</p></section>"
        }
        let rows = snapshot.alerts.map { alert -> HTML in
            """
            <tr><td data-label="\(text.time)">\(format.dayAndClock(alert.recordedAt))</td>\
            <td data-label="\(text.severity)" class="sev-\(alert.severity)">\(text.severities[alert.severity] ?? alert.severity)</td>\
            <td data-label="\(text.kind)">\(alert.kind)</td><td data-label="\(text.message)">\(alert.text)</td></tr>
            """
        }
        return """
            <section class="card"><h2>\(text.alerts)</h2><table class="list"><thead><tr><th>\(text.time)</th>\
            <th>\(text.severity)</th><th>\(text.kind)</th><th>\(text.message)</th></tr></thead><tbody>\(rows)</tbody>\
            </table></section>
            """
    }

    private func deadLettersCard() -> HTML {
        let title: HTML = "<h2>\(text.deadLetters) <span class=\"muted\">\(snapshot.facts?.health.queue.dead ?? 0)</span></h2>"
        guard !snapshot.deadLeads.isEmpty else {
            return "<section class=\"card\">\(title)<p class=\"note\">\(text.noDeadLetters)</p></section>"
        }
        let control: HTML =
            snapshot.adminEnabled
            ? """
            <div class="token"><label for="token">\(text.tokenLabel)</label>\
            <input type="password" id="token" autocomplete="off" spellcheck="false">\
            <button type="button" id="token-save">\(text.tokenSave)</button>\
            <button type="button" class="secondary" id="token-forget" hidden>\(text.tokenForget)</button>\
            <span class="note" id="token-state"></span></div>
            """
            : "<p class=\"note\">\(text.adminDisabled)</p>"
        let rows = snapshot.deadLeads.map { lead -> HTML in
            let error = [lead.errorClass.map(text.errorClass), lead.httpStatus.map { "HTTP \($0)" }].compactMap { $0 }
                .joined(separator: ", ")
            let action: HTML =
                snapshot.adminEnabled
                ? """
                <td><button type="button" class="requeue" data-lead="\(lead.leadID)">\(text.requeue)</button> \
                <span class="result note"></span></td>
                """
                : ""
            return """
                <tr><td data-label="\(text.leadID)" class="id">\(lead.leadID)</td>\
                <td data-label="\(text.receivedAt)">\(format.dayAndClock(lead.receivedAt))</td>\
                <td data-label="\(text.lastError)">\(error.isEmpty ? "—" : error)</td>\(action)</tr>
                """
        }
        let more: HTML =
            snapshot.moreDeadLeads > 0 ? "<p class=\"note\">\(text.andMore(snapshot.moreDeadLeads))</p>" : ""
        let actionHeader: HTML = snapshot.adminEnabled ? "<th></th>" : ""
        return """
            <section class="card">\(title)\(control)<table class="list"><thead><tr><th>\(text.leadID)</th>\
            <th>\(text.receivedAt)</th><th>\(text.lastError)</th>\(actionHeader)</tr></thead><tbody>\(rows)</tbody>\
            </table>\(more)</section>
            """
    }
}
