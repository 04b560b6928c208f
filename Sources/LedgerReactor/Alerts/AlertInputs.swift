import LedgerCore
import LedgerProjections

/// Everything the alert rules look at, gathered at one instant: projected state plus live facts of the machine.
public struct AlertInputs: Sendable {
    public var health: HealthView
    /// The reactor's circuit breaker (`closed`, `open`, `half_open`); nil when CRM sync is disabled.
    public var circuit: String?
    /// Free bytes on the log's file system; nil when unknown.
    public var freeDiskBytes: Int64?
    /// Memory in use and its limit; nil when unknown.
    public var memory: (used: Int64, limit: Int64)?
    /// Projectors with events past their checkpoint that have not advanced, and for how long (seconds).
    public var stalledProjectors: [String: Int64]
    /// Open descriptors against the limit, per running process (`serve`, `react`).
    public var descriptors: [ProcessDescriptors]

    /// One process's open descriptors and its limit.
    public struct ProcessDescriptors: Sendable, Equatable {
        public var process: ProcessName
        public var open: Int
        public var limit: Int

        public init(process: ProcessName, open: Int, limit: Int) {
            self.process = process
            self.open = open
            self.limit = limit
        }
    }

    public init(
        health: HealthView, circuit: String?, freeDiskBytes: Int64?, memory: (used: Int64, limit: Int64)?,
        stalledProjectors: [String: Int64] = [:], descriptors: [ProcessDescriptors] = []
    ) {
        self.descriptors = descriptors
        self.health = health
        self.circuit = circuit
        self.freeDiskBytes = freeDiskBytes
        self.memory = memory
        self.stalledProjectors = stalledProjectors
    }

}
