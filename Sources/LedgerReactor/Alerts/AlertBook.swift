import LedgerCore
import LedgerProjections
import LedgerStore

/// Turns "which conditions hold now" into events, against the alerts open in the log: a new condition is one
/// `AlertRaised`, a condition that still holds writes nothing (the same alert, not new news), a managed alert whose
/// condition is gone is one `AlertResolved`. Because open alerts are read from the log, a restart neither repeats an
/// alert nor forgets to resolve one. A resolution is worded in `locale`; the raised message it repeats keeps the words
/// it was raised with.
public enum AlertBook {
    public static func changes(
        open: [String: OpenAlert], conditions: [AlertCondition], now: Timestamp,
        managedKinds: Set<String> = AlertRules.managedKinds, locale: AlertLocale = .ru
    ) -> [LedgerEvent] {
        var events: [LedgerEvent] = []
        let holding = Set(conditions.map(\.key))
        for condition in conditions where condition.raises && open[condition.key] == nil {
            events.append(
                .alertRaised(
                    AlertRaised(
                        alertID: UUIDv7.make(at: now), kind: condition.kind, severity: condition.severity,
                        dedupeKey: condition.key, message: condition.message, subject: condition.subject)))
        }
        for (key, alert) in open.sorted(by: { $0.key < $1.key })
        where managedKinds.contains(alert.raised.kind) && !holding.contains(key) {
            let minutes = max(0, now.millisecondsSinceEpoch - alert.raisedAt.millisecondsSinceEpoch) / 60_000
            events.append(
                .alertResolved(
                    AlertResolved(
                        alertID: UUIDv7.make(at: now), resolvesAlertID: alert.raised.alertID, kind: alert.raised.kind,
                        dedupeKey: key, message: AlertMessages.resolved(minutes: minutes, raised: alert.raised.message, locale))))
        }
        return events
    }
}
