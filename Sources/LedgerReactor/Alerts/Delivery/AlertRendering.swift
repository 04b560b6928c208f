import LedgerCore
import LedgerProjections
import LedgerStore
import LedgerTelegram

/// A pending alert the throttle let through, with what its text needs.
struct DueAlert: Sendable {
    var pending: PendingAlert
    var occurrences: Int
}

/// Turns pending alerts into Telegram texts (`AlertText`): one alert alone, or a digest of many; a nightly report
/// into its summary (`ReportSummaryText`), always alone.
struct AlertRendering: Sendable {
    let text: AlertText
    let report: ReportSummaryText
    /// Leads waiting for AmoCRM (pending + in flight), when known: how many an AmoCRM or queue alert affects.
    let waitingLeads: @Sendable () -> Int?

    /// Kinds whose condition holds back every waiting lead.
    static let queueKinds: Set<String> = [
        "crm_failures", "crm_circuit_open", "crm_auth_failing", "crm_stopped", "pending_too_old",
    ]

    /// The whole message (before splitting) for `alerts`, due at `now`.
    func message(_ alerts: [DueAlert], digest: Bool, now: Timestamp) -> String {
        if !digest, alerts.count == 1, let alert = alerts.first {
            let content = content(alert)
            switch alert.pending.event {
            case .raised: return text.raised(content)
            case .resolved: return text.resolved(content, at: alert.pending.recordedAt)
            case .report(let produced):
                return report.summary(day: produced.day, produced.summary, reportID: produced.reportID)
            }
        }
        return text.digest(
            alerts.map { alert in
                switch alert.pending.event {
                case .raised, .report: AlertDigestEntry(alert: content(alert))
                case .resolved: AlertDigestEntry(alert: content(alert), resolvedAt: alert.pending.recordedAt)
                }
            }, at: now)
    }

    private func content(_ alert: DueAlert) -> AlertContent {
        switch alert.pending.event {
        case .raised(let raised):
            return AlertContent(
                alertID: raised.alertID, kind: raised.kind, severity: raised.severity,
                message: ContactScrubber.scrub(raised.message),
                subject: raised.subject, since: alert.pending.recordedAt, affectedLeads: affected(raised.kind),
                occurrences: alert.occurrences)
        case .resolved(let resolved, let raise, let raisedAt):
            // The raise's id, so the owner matches "resolved" with the message that raised it.
            return AlertContent(
                alertID: raise?.alertID ?? resolved.alertID, kind: resolved.kind, severity: raise?.severity ?? .info,
                message: ContactScrubber.scrub(resolved.message), subject: raise?.subject,
                since: raisedAt ?? alert.pending.recordedAt)
        case .report(let produced):
            // Only for completeness: the deliverer sends a report alone, never in a digest.
            return AlertContent(
                alertID: produced.reportID, kind: "report", severity: .info,
                message: report.title(day: produced.day),
                since: alert.pending.recordedAt)
        }
    }

    private func affected(_ kind: String) -> Int? {
        if kind == "lead_dead" { return 1 }
        return Self.queueKinds.contains(kind) ? waitingLeads() : nil
    }
}
