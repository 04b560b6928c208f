import GRDB
import LedgerCore
import LedgerStore

/// Moves projectors forward through the log, batch by batch, each batch in one `BEGIN IMMEDIATE` transaction that
/// reads the events, writes the read models and the checkpoints together.
///
/// Safe to run from several processes at once: the checkpoint is read under the write lock, so whichever process
/// gets the lock first projects a batch, and the other finds it done.
public struct ProjectionRunner: Sendable {
    public let log: EventLog
    public let projectors: [any Projector]
    /// Events folded per transaction. Bounds the write lock's hold time and the memory of one batch.
    /// `LEADLEDGER_PROJECTION_BATCH`, default 2000.
    public let batchSize: Int

    public init(log: EventLog, projectors: [any Projector] = ProjectionRunner.standardProjectors, batchSize: Int = 2000) {
        precondition(batchSize > 0, "projection batch size must be positive")
        self.log = log
        self.projectors = projectors
        self.batchSize = batchSize
    }

    /// The retry queue, the health view and the cost report.
    public static let standardProjectors: [any Projector] = [RetryQueueProjector(), HealthProjector(), CostReportProjector()]

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
        let batchSize = self.batchSize
        let projectors = self.projectors
        return try log.immediateTransaction { db in
            try Checkpoints.createTable(db)
            var checkpoints: [Int64] = []
            for projector in projectors {
                checkpoints.append(try Checkpoints.prepare(projector, db))
            }
            guard let lowest = checkpoints.min() else { return 0 }
            let events = try ProjectedEvent.fetchPage(db, afterSeq: lowest, limit: batchSize)
            guard !events.isEmpty else { return 0 }
            try checkContiguous(events)
            for (projector, checkpoint) in zip(projectors, checkpoints) {
                let pending = events.drop { $0.seq <= checkpoint }
                guard let first = pending.first, let last = pending.last else { continue }
                if first.seq != checkpoint + 1 {
                    throw ProjectionError(projector: projector.name, seq: first.seq, reason: "gap after checkpoint \(checkpoint)")
                }
                try projector.apply(Array(pending), db)
                try Checkpoints.save(projector, seq: last.seq, db)
            }
            return events.count
        }
    }

    /// Drops every read model and replays the whole log into it.
    public func rebuild() throws -> Int64 {
        let projectors = self.projectors
        // Read models hold no personal data, so their pages need not be zeroed when dropped (secure_delete is on
        // for the sake of erased keys); zeroing a million-event projection cost most of a second. The pragma is
        // switched off and back on inside one serialized access to the writer, so no erasure can run in between.
        try log.database.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA secure_delete = OFF")
            defer { try? db.execute(sql: "PRAGMA secure_delete = ON") }
            try db.inTransaction(.immediate) {
                try Checkpoints.createTable(db)
                for projector in projectors {
                    try projector.dropTables(db)
                    try Checkpoints.remove(projector, db)
                }
                return .commit
            }
        }
        return try catchUp()
    }

    /// Where each projector stands: checkpoint, and lag behind the log's head.
    public func status() throws -> [ProjectionStatus] {
        let head = try log.head()?.seq ?? 0
        return try log.database.read { db in
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

/// One projector's position.
public struct ProjectionStatus: Sendable, Equatable, Codable {
    public var name: String
    public var checkpoint: Int64
    public var lag: Int64
}
