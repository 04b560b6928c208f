import Foundation
import LedgerCore
import LedgerStore

/// A fresh directory per test or benchmark run, removed when the value is released. Keeps every test's log apart
/// (GRDB's `GRDBTestCase` habit) so tests can run in parallel.
public final class TemporaryDirectory: Sendable {
    public let path: String

    public init(prefix: String = "leadledger") throws {
        let base = FileManager.default.temporaryDirectory.path
        path = "\(base)/\(prefix)-\(UUID().uuidString.lowercased())"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    public func file(_ name: String) -> String { "\(path)/\(name)" }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// A log in a temporary directory, with a clock the test controls.
public struct TemporaryLog: Sendable {
    public let directory: TemporaryDirectory
    public let clock: ManualClock
    public let log: EventLog

    public var path: String { log.path }

    public init(
        start: Timestamp = Timestamp(millisecondsSinceEpoch: 1_795_000_000_000), options: EventLogOptions = EventLogOptions()
    ) throws {
        directory = try TemporaryDirectory()
        clock = ManualClock(start)
        log = try EventLog.open(path: directory.file("ledger.sqlite"), options: options, clock: clock)
    }
}
