import LedgerCore
import LedgerProjections

extension LedgerSettings {
    /// The cost report's settings, one place for `report`, `serve` (admin API, dashboard) and `react`'s nightly run,
    /// so all three count with the same zone, SLA, cost and currency.
    var costReport: LostLeadCostReport.Settings {
        .init(timeZone: timeZone, deliverySLASeconds: deliverySLASeconds, leadCost: leadCost, currency: currency)
    }
}
