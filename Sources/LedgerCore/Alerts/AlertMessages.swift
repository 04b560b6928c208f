/// Every alert message LeadLedger writes, one function per alert kind, in each `AlertLocale`.
///
/// The message is written into `AlertRaised`/`AlertResolved` when the alert is raised, in the locale in force then;
/// an old alert replays with its own words. Functions take the facts (counts, minutes, names, ids), never a lead's
/// data. Where a message quotes what AmoCRM or the transport answered, that text follows the message's first ": ",
/// which the dashboard cuts off (`DashboardSnapshot.AlertLine.ownWords`): the answer may echo a name or a phone. A
/// message without such a quote keeps ": " out of its Russian words, so the dashboard shows it whole.
public enum AlertMessages {
    /// Any managed alert whose condition cleared: how long it held, then the message that raised it.
    public static func resolved(minutes: Int64, raised message: String, _ locale: AlertLocale) -> String {
        switch locale {
        case .ru: "решено через \(minutes) мин: \(message)"
        case .en: "resolved after \(minutes) min: \(message)"
        }
    }
}
