import LedgerCore
import LedgerStore
import Metrics

/// The reactor's facts for `/metrics`, through swift-metrics (a no-op until `react` bootstraps the Prometheus
/// factory). Counted from the events as they are appended, so a figure here is always a fact the log also holds.
/// Labels come from closed sets: outcomes are `SyncErrorClass` values or `succeeded`, kinds are the alert kinds the
/// code writes (`lead_dead`, not the lead), circuit states are three.
public enum ReactorMetrics {
    /// Counts what was just appended: sync outcomes, alerts raised, alert deliveries.
    public static func recorded(_ events: [LedgerEvent]) {
        for event in events {
            switch event {
            case .syncSucceeded:
                Counter(label: "leadledger_sync_outcomes_total", dimensions: [("outcome", "succeeded")]).increment()
            case .syncFailed(let failed):
                Counter(label: "leadledger_sync_outcomes_total", dimensions: [("outcome", failed.errorClass.rawValue)])
                    .increment()
            case .alertRaised(let alert):
                Counter(label: "leadledger_alerts_raised_total", dimensions: [("kind", alert.kind)]).increment()
            case .alertDelivered(let delivered):
                Counter(label: "leadledger_alerts_delivered_total", dimensions: [("outcome", delivered.outcome.rawValue)])
                    .increment()
            case .alertUndeliverable:
                Counter(label: "leadledger_alerts_delivered_total", dimensions: [("outcome", "undeliverable")]).increment()
            default:
                break
            }
        }
    }

    public static func recorded(_ events: [PendingEvent]) { recorded(events.map(\.event)) }

    /// 0 closed, 1 half open, 2 open: a graph that rises means trouble.
    public static func circuit(_ state: String) {
        let value: Double =
            switch state {
            case "open": 2
            case "half_open": 1
            default: 0
            }
        Gauge(label: "leadledger_crm_circuit_state").record(value)
    }

    /// Reconciliation verdicts (`found`, `absent`, `uncertain`): a rising `uncertain` means AmoCRM's lists cannot
    /// decide and leads will wait for a human.
    static func reconciled(_ verdicts: some Sequence<BatchReconciliation.Verdict>) {
        for verdict in verdicts {
            let name =
                switch verdict {
                case .found: "found"
                case .absent: "absent"
                case .uncertain: "uncertain"
                }
            Counter(label: "leadledger_reconcile_verdicts_total", dimensions: [("verdict", name)]).increment()
        }
    }

    public static func pass() {
        Counter(label: "leadledger_reactor_passes_total").increment()
    }
}
