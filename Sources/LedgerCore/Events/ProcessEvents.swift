/// Which long-running process of LeadLedger an event is about.
public enum ProcessName: String, Codable, Sendable, CaseIterable {
    case serve, react
}

/// How the run before this one ended, as the log can tell: a `ProcessStopped` for it is a clean stop; none, with its
/// process gone, is a crash, a SIGKILL, an OOM kill or a power cut.
public enum PreviousRunEnd: String, Codable, Sendable, CaseIterable {
    case clean, unclean
}

/// A `serve` or `react` process started on this log. Restarts are facts, so "restarts today" and "unclean restarts
/// today" (the figure the old backend drove to 485) come from the log, not from a supervisor's memory.
public struct ProcessStarted: LedgerEventPayload {
    public static let type = EventType.processStarted
    public static let schemaVersion = 1

    public var process: ProcessName
    /// Unique per run (a UUIDv7): the matching `ProcessStopped` carries it.
    public var instanceID: String
    public var pid: Int32
    public var version: String
    /// The run of the same process before this one; nil on the first start on this log.
    public var previousInstanceID: String?
    public var previousEnded: PreviousRunEnd?

    public var stream: String { SystemStream.processes }

    public init(
        process: ProcessName, instanceID: String, pid: Int32, version: String, previousInstanceID: String?,
        previousEnded: PreviousRunEnd?
    ) {
        self.process = process
        self.instanceID = instanceID
        self.pid = pid
        self.version = version
        self.previousInstanceID = previousInstanceID
        self.previousEnded = previousEnded
    }

    enum CodingKeys: String, CodingKey {
        case process
        case instanceID = "instance_id"
        case pid, version
        case previousInstanceID = "previous_instance_id"
        case previousEnded = "previous_ended"
    }

    public func validate() throws {
        try require(!instanceID.isEmpty && instanceID.utf8.count <= FieldLimits.identifier, "instance_id", "empty or too long")
        try require(pid >= 1, "pid", "must be positive")
        try require(!version.isEmpty && version.utf8.count <= FieldLimits.identifier, "version", "empty or too long")
        try require(
            previousInstanceID.map { !$0.isEmpty && $0.utf8.count <= FieldLimits.identifier } ?? true, "previous_instance_id",
            "empty or too long")
        try require(
            (previousInstanceID == nil) == (previousEnded == nil), "previous_ended",
            "present exactly when previous_instance_id is")
    }
}

/// A `serve` or `react` run ended cleanly: it finished its in-flight work after SIGTERM/SIGINT and closed the log.
public struct ProcessStopped: LedgerEventPayload {
    public static let type = EventType.processStopped
    public static let schemaVersion = 1

    public var process: ProcessName
    public var instanceID: String
    public var pid: Int32
    /// Why it stopped, e.g. `shutdown signal`.
    public var reason: String

    public var stream: String { SystemStream.processes }

    public init(process: ProcessName, instanceID: String, pid: Int32, reason: String) {
        self.process = process
        self.instanceID = instanceID
        self.pid = pid
        self.reason = reason
    }

    enum CodingKeys: String, CodingKey {
        case process
        case instanceID = "instance_id"
        case pid, reason
    }

    public func validate() throws {
        try require(!instanceID.isEmpty && instanceID.utf8.count <= FieldLimits.identifier, "instance_id", "empty or too long")
        try require(pid >= 1, "pid", "must be positive")
        try require(!reason.isEmpty, "reason", "empty")
        try requireLength(reason, "reason", max: FieldLimits.shortText)
    }
}
