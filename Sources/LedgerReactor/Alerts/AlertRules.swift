import LedgerCore
import LedgerProjections

/// The rules that decide which alert conditions hold now: pure, so each is tested without I/O.
///
/// Every problem that can cost a lead has a rule, with its threshold a setting (`AlertSettings`): repeated AmoCRM
/// failures, the circuit open, a failing AmoCRM login, the oldest pending lead too old, the books not balancing, a
/// projector stuck, the disk filling, memory or file descriptors near their limit. Messages (`AlertMessages`, in
/// `settings.locale`) say what happened and how many leads wait; they never carry personal data.
public enum AlertRules {
    /// Kinds whose alerts these rules resolve when their condition no longer holds.
    public static let managedKinds: Set<String> = [
        "crm_failures", "crm_circuit_open", "crm_stopped", "crm_auth_failing", "pending_too_old", "conservation_failed",
        "projector_stalled", "disk_low", "memory_high", "descriptors_high",
    ]

    public static func evaluate(_ inputs: AlertInputs, _ settings: AlertSettings) -> [AlertCondition] {
        var conditions: [AlertCondition] = []
        let locale = settings.locale
        let health = inputs.health
        let waiting = health.queue.pending + health.queue.inFlight
        let totals = health.totals
        if totals.consecutiveCRMFailures >= Int64(settings.crmFailures) {
            conditions.append(
                AlertCondition(
                    kind: "crm_failures", severity: .warning,
                    message: AlertMessages.crmFailures(
                        failures: totals.consecutiveCRMFailures, lastClass: totals.lastSyncFailureClass, waiting: waiting, locale),
                    subject: "amocrm"))
        }
        if let circuit = inputs.circuit, circuit != "closed" {
            conditions.append(
                AlertCondition(
                    kind: "crm_circuit_open", severity: .critical,
                    message: AlertMessages.crmCircuitOpen(state: circuit, waiting: waiting, locale),
                    subject: "amocrm"))
            conditions.append(
                AlertCondition(kind: "crm_stopped", severity: .critical, message: "", subject: "amocrm", raises: false))
        }
        if totals.lastSyncFailureClass == .unauthorized,
            let failedAt = totals.lastSyncFailureAt, failedAt > (totals.lastSyncSuccessAt ?? Timestamp(millisecondsSinceEpoch: 0))
        {
            conditions.append(
                AlertCondition(
                    kind: "crm_auth_failing", severity: .critical,
                    message: AlertMessages.crmAuthFailing(waiting: waiting, locale),
                    subject: "amocrm"))
        }
        if let age = health.oldestPendingAgeSeconds, age > Int64(settings.pendingAgeSeconds) {
            conditions.append(
                AlertCondition(
                    kind: "pending_too_old", severity: .warning,
                    message: AlertMessages.pendingTooOld(minutes: age / 60, waiting: waiting, locale),
                    subject: "queue"))
        }
        if !health.conservationHolds {
            conditions.append(
                AlertCondition(
                    kind: "conservation_failed", severity: .critical,
                    message: AlertMessages.conservationFailed(
                        received: totals.receivedTotal, accounted: health.queue.total, locale),
                    subject: "ledger"))
        }
        for (name, seconds) in inputs.stalledProjectors.sorted(by: { $0.key < $1.key }) {
            conditions.append(
                AlertCondition(
                    kind: "projector_stalled", key: "projector_stalled:\(name)", severity: .critical,
                    message: AlertMessages.projectorStalled(projector: name, seconds: seconds, locale),
                    subject: name))
        }
        if let free = inputs.freeDiskBytes, free < Int64(settings.diskFreeMegabytes) * 1_048_576 {
            conditions.append(
                AlertCondition(
                    kind: "disk_low", severity: .critical,
                    message: AlertMessages.diskLow(
                        freeMiB: free / 1_048_576, thresholdMiB: settings.diskFreeMegabytes, locale),
                    subject: "disk"))
        }
        if let memory = inputs.memory, memory.limit > 0, memory.used * 100 > memory.limit * Int64(settings.memoryPercent) {
            conditions.append(
                AlertCondition(
                    kind: "memory_high", severity: .warning,
                    message: AlertMessages.memoryHigh(
                        percent: memory.used * 100 / memory.limit, limitMiB: memory.limit / 1_048_576,
                        thresholdPercent: settings.memoryPercent, locale),
                    subject: "memory"))
        }
        for process in inputs.descriptors
        where process.limit > 0 && process.open * 100 > process.limit * settings.descriptorsPercent {
            conditions.append(
                AlertCondition(
                    kind: "descriptors_high", key: "descriptors_high:\(process.process.rawValue)", severity: .warning,
                    message: AlertMessages.descriptorsHigh(
                        process: process.process.rawValue, open: process.open, limit: process.limit,
                        thresholdPercent: settings.descriptorsPercent, locale),
                    subject: process.process.rawValue))
        }
        return conditions
    }
}
