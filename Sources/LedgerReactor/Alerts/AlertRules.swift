import LedgerCore
import LedgerProjections

/// The rules that decide which alert conditions hold now: pure, so each is tested without I/O.
///
/// Every problem that can cost a lead has a rule, with its threshold a setting (`AlertSettings`): repeated AmoCRM
/// failures, the circuit open, a failing AmoCRM login, the oldest pending lead too old, the books not balancing, a
/// projector stuck, the disk filling, memory or file descriptors near their limit. Messages say what happened and how many leads wait;
/// they never carry personal data.
public enum AlertRules {
    /// Kinds whose alerts these rules resolve when their condition no longer holds.
    public static let managedKinds: Set<String> = [
        "crm_failures", "crm_circuit_open", "crm_stopped", "crm_auth_failing", "pending_too_old", "conservation_failed",
        "projector_stalled", "disk_low", "memory_high", "descriptors_high",
    ]

    public static func evaluate(_ inputs: AlertInputs, _ settings: AlertSettings) -> [AlertCondition] {
        var conditions: [AlertCondition] = []
        let health = inputs.health
        let waiting = health.queue.pending + health.queue.inFlight
        let totals = health.totals
        if totals.consecutiveCRMFailures >= Int64(settings.crmFailures) {
            conditions.append(
                AlertCondition(
                    kind: "crm_failures", severity: .warning,
                    message:
                        "\(totals.consecutiveCRMFailures) AmoCRM attempts in a row failed (last: \(totals.lastSyncFailureClass?.rawValue ?? "unknown")); \(waiting) leads wait in the queue and will be retried",
                    subject: "amocrm"))
        }
        if let circuit = inputs.circuit, circuit != "closed" {
            conditions.append(
                AlertCondition(
                    kind: "crm_circuit_open", severity: .critical,
                    message:
                        "AmoCRM circuit breaker is \(circuit): no leads are sent, the reactor probes AmoCRM; \(waiting) leads wait",
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
                    message:
                        "AmoCRM refuses the integration's token (401) and a refresh did not help: renew the token or the OAuth authorisation; \(waiting) leads wait",
                    subject: "amocrm"))
        }
        if let age = health.oldestPendingAgeSeconds, age > Int64(settings.pendingAgeSeconds) {
            conditions.append(
                AlertCondition(
                    kind: "pending_too_old", severity: .warning,
                    message: "the oldest pending lead has waited \(age / 60) min for AmoCRM; \(waiting) leads wait",
                    subject: "queue"))
        }
        if !health.conservationHolds {
            conditions.append(
                AlertCondition(
                    kind: "conservation_failed", severity: .critical,
                    message:
                        "the books do not balance: \(totals.receivedTotal) leads received, \(health.queue.total) accounted for in the queue; run leadledger verify and leadledger rebuild",
                    subject: "ledger"))
        }
        for (name, seconds) in inputs.stalledProjectors.sorted(by: { $0.key < $1.key }) {
            conditions.append(
                AlertCondition(
                    kind: "projector_stalled", key: "projector_stalled:\(name)", severity: .critical,
                    message:
                        "projector \(name) has not advanced for \(seconds) s although events wait: health and the queue are stale; see the react log",
                    subject: name))
        }
        if let free = inputs.freeDiskBytes, free < Int64(settings.diskFreeMegabytes) * 1_048_576 {
            conditions.append(
                AlertCondition(
                    kind: "disk_low", severity: .critical,
                    message:
                        "\(free / 1_048_576) MiB free on the log's disk (alert below \(settings.diskFreeMegabytes) MiB): when it is full, new leads are refused with 503",
                    subject: "disk"))
        }
        if let memory = inputs.memory, memory.limit > 0, memory.used * 100 > memory.limit * Int64(settings.memoryPercent) {
            conditions.append(
                AlertCondition(
                    kind: "memory_high", severity: .warning,
                    message:
                        "memory at \(memory.used * 100 / memory.limit) % of its \(memory.limit / 1_048_576) MiB limit (alert above \(settings.memoryPercent) %)",
                    subject: "memory"))
        }
        for process in inputs.descriptors
        where process.limit > 0 && process.open * 100 > process.limit * settings.descriptorsPercent {
            conditions.append(
                AlertCondition(
                    kind: "descriptors_high", key: "descriptors_high:\(process.process.rawValue)", severity: .warning,
                    message:
                        "\(process.process.rawValue) has \(process.open) of its \(process.limit) file descriptors open (alert above \(settings.descriptorsPercent) %): at the limit new connections, and with them leads, are refused",
                    subject: process.process.rawValue))
        }
        return conditions
    }
}
