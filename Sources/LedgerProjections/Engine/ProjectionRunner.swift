import GRDB
import LedgerCore
import LedgerStore

/// Moves projectors forward through the log, batch by batch, reading it through the storage seam (either backend).
/// A batch reads the checkpoints, reads the next page of facts and the hashes that vouch for the checkpoints from the
/// log, then, in one `BEGIN IMMEDIATE` transaction on the read-model file (`ReadModelStore`), checks the checkpoints
/// are still those, folds the page and saves the checkpoints. The log is only read: folding never takes its write
/// lock, so it never makes ingest wait, and no thread is held while the log answers.
///
/// Safe to run from several processes at once: a batch whose checkpoints moved while its page was read (another
/// process folded it) is read again from where they are now; the log is append-only, so a page read earlier is
/// still what the log holds.
///
/// Before each batch the runner checks that the log still holds, at each checkpoint's seq, the event the projector
/// folded last (same hash, seq not past the head). A projector whose log was replaced under it (restored from a
/// backup, swapped for another file) is dropped and folded again from seq 1.
public struct ProjectionRunner: Sendable {
    public let log: any EventStore
    public let store: ReadModelStore
    public let projectors: [any Projector]
    /// Events folded per transaction. Bounds the read-model write lock's hold time and the memory of one batch.
    /// `LEADLEDGER_PROJECTION_BATCH`, default 2000.
    public let batchSize: Int
    /// Reads of a batch whose checkpoints another process moved meanwhile, before the runner gives up on the batch.
    static let maxRaces = 16

    public init(
        log: any EventStore, store: ReadModelStore, projectors: [any Projector] = ProjectionRunner.standardProjectors,
        batchSize: Int = 2000
    ) {
        precondition(batchSize > 0, "projection batch size must be positive")
        self.log = log
        self.store = store
        self.projectors = projectors
        self.batchSize = batchSize
    }

    /// A runner over the read models beside `log` (`<log>.projections.sqlite`), opened or created for it.
    public init(
        log: EventLog, projectors: [any Projector] = ProjectionRunner.standardProjectors, batchSize: Int = 2000
    ) throws(ReadModelStoreError) {
        self.init(log: log, store: try ReadModelStore.open(beside: log), projectors: projectors, batchSize: batchSize)
    }

    /// The retry queue, the health view, the cost report, the dashboard's hourly activity and the note queue.
    public static let standardProjectors: [any Projector] = [
        RetryQueueProjector(), HealthProjector(), CostReportProjector(), HourlyActivityProjector(), NoteQueueProjector(),
    ]

    /// Folds every event committed so far. Returns how many events were applied.
    @discardableResult
    public func catchUp() async throws -> Int64 {
        var total: Int64 = 0
        while true {
            let applied = try await step()
            if applied == 0 { return total }
            total += Int64(applied)
        }
    }

    /// Folds at most one batch; returns the number of events read (0 when every projector is at the head).
    @discardableResult
    public func step() async throws -> Int {
        let projectors = self.projectors
        guard !projectors.isEmpty else { return 0 }
        for _ in 0..<Self.maxRaces {
            // Read without the write lock: an idle tick (nothing new, nothing to remake) writes nothing.
            let peeked = try await store.database.read { db in try projectors.map { try Checkpoints.peek($0, db) } }
            let checkpoints = peeked.map { $0 ?? Checkpoint(seq: 0, hash: nil) }
            let page = try await LogPage.read(log, checkpoints: checkpoints, limit: batchSize)
            if page.events.isEmpty && page.stale.isEmpty && !peeked.contains(nil) { return 0 }
            let folded = try await store.immediateTransaction { db -> Int? in
                try Checkpoints.createTable(db)
                var current = try projectors.map { try Checkpoints.prepare($0, db) }
                guard current == checkpoints else { return nil }
                for index in page.stale {
                    current[index] = try Checkpoints.reset(projectors[index], db)
                }
                guard let last = page.events.last, let lastHash = page.lastHash else { return 0 }
                try Self.checkContiguous(page.events)
                for (projector, checkpoint) in zip(projectors, current) {
                    let pending = page.events.drop { $0.seq <= checkpoint.seq }
                    guard let first = pending.first else { continue }
                    if first.seq != checkpoint.seq + 1 {
                        throw ProjectionError(
                            projector: projector.name, seq: first.seq, reason: "gap after checkpoint \(checkpoint.seq)")
                    }
                    try projector.apply(Array(pending), db)
                    try Checkpoints.save(projector, Checkpoint(seq: last.seq, hash: lastHash), db)
                }
                return page.events.count
            }
            if let folded { return folded }
        }
        throw ProjectionError(
            projector: "runner", seq: 0, reason: "other processes kept moving the checkpoints for \(Self.maxRaces) reads")
    }

    /// Drops every read model and replays the whole log into it. Only the read-model file is written.
    public func rebuild() async throws -> Int64 {
        let projectors = self.projectors
        try await store.immediateTransaction { db in
            try Checkpoints.createTable(db)
            for projector in projectors {
                try projector.dropTables(db)
                try Checkpoints.remove(projector, db)
            }
        }
        return try await catchUp()
    }

    /// Where each projector stands: checkpoint, and lag behind `head` (the log's last seq, read by the caller).
    public func status(head: Int64) throws -> [ProjectionStatus] {
        let projectors = self.projectors
        return try store.database.read { db in
            try projectors.map { projector in
                let checkpoint = try Checkpoints.load(projector, db)
                return ProjectionStatus(name: projector.name, checkpoint: checkpoint, lag: head - checkpoint)
            }
        }
    }

    /// A page must be gap-free in itself; gaps against each checkpoint are checked per projector.
    private static func checkContiguous(_ events: [ProjectedEvent]) throws {
        var previous: Int64?
        for event in events {
            if let previous, event.seq != previous + 1 {
                throw ProjectionError(projector: "runner", seq: event.seq, reason: "gap after seq \(previous)")
            }
            previous = event.seq
        }
    }
}

/// What one batch reads from the log: which checkpoints the log no longer vouches for, and the page of events after
/// the lowest checkpoint that still holds.
private struct LogPage: Sendable {
    /// Indexes of the checkpoints whose seq is past the log's head or holds another event.
    var stale: [Int]
    var events: [ProjectedEvent]
    /// Hash of the page's last event: what every projector that folds this page saves with its checkpoint.
    var lastHash: String?

    static func read(_ log: any EventStore, checkpoints: [Checkpoint], limit: Int) async throws -> LogPage {
        var stale: [Int] = []
        var lowest = Int64.max
        var vouched: [Int64: String?] = [:]
        for (index, checkpoint) in checkpoints.enumerated() {
            // One primary-key probe per distinct seq; the projectors usually share one.
            if checkpoint.seq > 0 {
                let hash: String?
                if let known = vouched[checkpoint.seq] {
                    hash = known
                } else {
                    hash = try await log.hash(atSeq: checkpoint.seq)
                    vouched[checkpoint.seq] = hash
                }
                if checkpoint.hash == nil || hash != checkpoint.hash {
                    stale.append(index)
                    lowest = 0
                    continue
                }
            }
            lowest = min(lowest, checkpoint.seq)
        }
        let events = try await log.facts(afterSeq: lowest, limit: limit).map(ProjectedEvent.init)
        // One more probe for the page's last hash, rather than a 64-character string for every event of the page.
        var lastHash: String?
        if let last = events.last { lastHash = try await log.hash(atSeq: last.seq) }
        return LogPage(stale: stale, events: events, lastHash: lastHash)
    }
}

/// One projector's position.
public struct ProjectionStatus: Sendable, Equatable, Codable {
    public var name: String
    public var checkpoint: Int64
    public var lag: Int64

    public init(name: String, checkpoint: Int64, lag: Int64) {
        self.name = name
        self.checkpoint = checkpoint
        self.lag = lag
    }
}
