import LedgerCore
import LedgerStore

/// The system streams (`system:alerts`, `system:processes`) are small: an alert or a process start is rare next to
/// leads. What the reactor and health need from them (open alerts, what waits for delivery, the previous run of a
/// process, whether a day has its report) is folded from each stream's newest events, read through the storage seam
/// in bounded pages, so both backends answer alike and no fold visits a lead's event.
enum StreamFold {
    /// How many of the newest alert events are read to find open and undelivered alerts: bounded, and far more than
    /// the handful of conditions that can be open at once.
    static let alertScan = 5000
    /// How far back a process start looks for the previous run: enough for any crash-loop window, bounded.
    static let processHistoryScan = 1000
    /// How many of the newest reports are read to tell whether a day has one: one report a day, so over a year's.
    static let reportScan = 1000
    /// Most `AlertRaised` counted for one report day.
    static let raisedPerDayScan = 5000

    /// Decodes a system event leniently (an unknown newer field does not stop a fold); an undecodable event is a
    /// damaged log.
    static func decode(_ event: RecordedEvent) throws(StoreError) -> LedgerEvent {
        do {
            return try event.decode(strict: false)
        } catch {
            throw StoreError(.corrupt, "event \(event.seq) (\(event.type)) in \(event.stream): \(error)")
        }
    }
}
