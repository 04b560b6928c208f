import Foundation
import LedgerCore

/// What the running reactor last said about itself: the live facts health needs that the log does not hold (the
/// circuit breaker lives in the reactor's memory). Written beside the log after every pass, read by `serve`'s
/// detailed health; a heartbeat that stops getting newer means the reactor is not running.
public struct ReactorHeartbeat: Codable, Sendable, Equatable {
    public var pid: Int32
    public var updatedAt: Timestamp
    /// `closed`, `open`, `half_open`, or `disabled` when no AmoCRM is configured.
    public var circuit: String
    public var syncEnabled: Bool

    public init(pid: Int32, updatedAt: Timestamp, circuit: String, syncEnabled: Bool) {
        self.pid = pid
        self.updatedAt = updatedAt
        self.circuit = circuit
        self.syncEnabled = syncEnabled
    }

    enum CodingKeys: String, CodingKey {
        case pid
        case updatedAt = "updated_at"
        case circuit
        case syncEnabled = "sync_enabled"
    }

    public static func path(forLog logPath: String) -> String { logPath + ".react-status.json" }

    public func write(forLog logPath: String) throws {
        try StatusFile.write(self, to: Self.path(forLog: logPath))
    }

    /// The last heartbeat, or nil when the reactor never ran on this log (or the file is unreadable).
    public static func read(forLog logPath: String) -> ReactorHeartbeat? {
        StatusFile.read(ReactorHeartbeat.self, from: path(forLog: logPath))
    }
}
