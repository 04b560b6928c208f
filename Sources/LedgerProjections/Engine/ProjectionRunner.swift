import GRDB
import LedgerCore
import LedgerStore

/// Moves projectors forward through the log, batch by batch. Each batch is one `BEGIN IMMEDIATE` transaction on the
/// read-model file (`ReadModelStore`) that reads the checkpoints, reads the next page of events from the log through a
/// snapshot, folds them and saves the checkpoints. The log is only read: folding never takes its write lock, so it
/// never makes ingest wait.
///
/// Safe to run from several processes at once: the checkpoints are read under the read-model file's write lock, so
/// whichever process gets that lock first projects a batch, and the other finds it done.
///
/// Before each batch the runner checks that the log still holds, at each checkpoint's seq, the event the projector
/// folded last (same hash, seq not past the head). A projector whose log was replaced under it (restored from a
/// backup, swapped for another file) is dropped and folded again from seq 1.
public struct ProjectionRunner: Sendable {
    public let log: EventLog
    public let store: ReadModelStore
    public let projectors: [any Projector]
    /// Events folded per transaction. Bounds the read-model write lock's hold time and the memory of one batch.
    /// `LEADLEDGER_PROJECTION_BATCH`, default 2000.
    public let batchSize: Int

    public init(
        log: EventLog, store: ReadModelStore, projectors: [any Projector] = ProjectionRunner.standardProjectors,
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
    public func catchUp() throws -> Int64 {
        var total: Int64 = 0
        while true {
            let applied = try step()
            if applied == 0 { return total }
            total += Int64(applied)
        }
    }

    /// Folds at most one batch; returns the number of events read (0 when every projector is at the head).
    @discardableResult
    public func step() throws -> Int {
        let log = self.log
        let batchSize = self.batchSize
        let projectors = self.projectors
        return try store.immediateTransaction { db in
            try Checkpoints.createTable(db)
            var checkpoints = try projectors.map { try Checkpoints.prepare($0, db) }
            guard !checkpoints.isEmpty else { return 0 }
            // One snapshot of the log: the checks of every checkpoint and the page come from the same state.
            let page = try log.database.read { logDB in try LogPage.read(logDB, checkpoints: checkpoints, limit: batchSize) }
            for index in page.stale {
                checkpoints[index] = try Checkpoints.reset(projectors[index], db)
            }
            guard let last = page.events.last else { return 0 }
            guard let lastHash = page.lastHash else {
                throw ProjectionError(projector: "runner", seq: last.seq, reason: "the event has no hash in the log")
            }
            try checkContiguous(page.events)
            for (projector, checkpoint) in zip(projectors, checkpoints) {
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
    }

    /// Drops every read model and replays the whole log into it. Only the read-model file is written.
    public func rebuild() throws -> Int64 {
        let projectors = self.projectors
        try store.immediateTransaction { db in
            try Checkpoints.createTable(db)
            for projector in projectors {
                try projector.dropTables(db)
                try Checkpoints.remove(projector, db)
            }
        }
        return try catchUp()
    }

    /// Where each projector stands: checkpoint, and lag behind the log's head.
    public func status() throws -> [ProjectionStatus] {
        let head = try log.head()?.seq ?? 0
        let projectors = self.projectors
        return try store.database.read { db in
            try projectors.map { projector in
                let checkpoint = try Checkpoints.load(projector, db)
                return ProjectionStatus(name: projector.name, checkpoint: checkpoint, lag: head - checkpoint)
            }
        }
    }

    /// A page must be gap-free in itself; gaps against each checkpoint are checked per projector.
    private func checkContiguous(_ events: [ProjectedEvent]) throws {
        var previous: Int64?
        for event in events {
            if let previous, event.seq != previous + 1 {
                throw ProjectionError(projector: "runner", seq: event.seq, reason: "gap after seq \(previous)")
            }
            previous = event.seq
        }
    }
}

/// What one batch reads from the log, in one snapshot: which checkpoints the log no longer vouches for, and the page
/// of events after the lowest checkpoint that still holds.
private struct LogPage {
    /// Indexes of the checkpoints whose seq is past the log's head or holds another event.
    var stale: [Int]
    var events: [ProjectedEvent]
    /// Hash of the page's last event: what every projector that folds this page saves with its checkpoint.
    var lastHash: String?

    static func read(_ db: Database, checkpoints: [Checkpoint], limit: Int) throws -> LogPage {
        var stale: [Int] = []
        var lowest = Int64.max
        for (index, checkpoint) in checkpoints.enumerated() {
            // One primary-key probe per projector; they usually share one seq.
            if checkpoint.seq > 0, try checkpoint.hash == nil || hash(db, seq: checkpoint.seq) != checkpoint.hash {
                stale.append(index)
                lowest = 0
                continue
            }
            lowest = min(lowest, checkpoint.seq)
        }
        let events = try ProjectedEvent.fetchPage(db, afterSeq: lowest, limit: limit)
        let lastHash = try events.last.flatMap { try hash(db, seq: $0.seq) }
        return LogPage(stale: stale, events: events, lastHash: lastHash)
    }

    private static func hash(_ db: Database, seq: Int64) throws -> String? {
        try String.fetchOne(db.cachedStatement(sql: "SELECT hash FROM event WHERE seq = ?"), arguments: [seq])
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
