import Foundation
import LedgerCore

/// What the running `serve` last said about its front door: descriptors and connections against their limits. Written
/// beside the log every few seconds, read by `react`'s alert rules, which is where alerts are raised; a status that
/// stops getting newer means no `serve` runs, and its figures are then not judged.
public struct ServeStatus: Codable, Sendable, Equatable {
    public var pid: Int32
    public var updatedAt: Timestamp
    public var openDescriptors: Int
    public var maxDescriptors: Int
    public var openConnections: Int
    public var maxConnections: Int

    public init(
        pid: Int32, updatedAt: Timestamp, openDescriptors: Int, maxDescriptors: Int, openConnections: Int,
        maxConnections: Int
    ) {
        self.pid = pid
        self.updatedAt = updatedAt
        self.openDescriptors = openDescriptors
        self.maxDescriptors = maxDescriptors
        self.openConnections = openConnections
        self.maxConnections = maxConnections
    }

    enum CodingKeys: String, CodingKey {
        case pid
        case updatedAt = "updated_at"
        case openDescriptors = "open_descriptors"
        case maxDescriptors = "max_descriptors"
        case openConnections = "open_connections"
        case maxConnections = "max_connections"
    }

    public static func path(forLog logPath: String) -> String { logPath + ".serve-status.json" }

    public func write(forLog logPath: String) throws { try StatusFile.write(self, to: Self.path(forLog: logPath)) }

    /// The last status, or nil when `serve` never ran on this log (or the file is unreadable).
    public static func read(forLog logPath: String) -> ServeStatus? {
        StatusFile.read(ServeStatus.self, from: path(forLog: logPath))
    }
}
