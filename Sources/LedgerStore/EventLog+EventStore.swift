import Foundation

extension EventLog: EventStore {
    public var displayLocation: String { path }
    public var maxPageSize: Int { options.maxPageSize }
    public var maxEventsPerAppend: Int { options.maxEventsPerAppend }

    /// The log file's size (not its WAL, which checkpoints fold back in).
    public func storedBytes() async -> Int64? {
        (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value
    }

    /// SQLite closes the pool's connections when the last reference goes; nothing waits here.
    public func close() async {}
}
