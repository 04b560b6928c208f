extension EventLog: EventStore {
    public var displayLocation: String { path }
    public var maxPageSize: Int { options.maxPageSize }
    public var maxEventsPerAppend: Int { options.maxEventsPerAppend }

    /// SQLite closes the pool's connections when the last reference goes; nothing waits here.
    public func close() async {}
}
