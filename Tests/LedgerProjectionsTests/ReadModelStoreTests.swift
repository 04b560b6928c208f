import Foundation
import GRDB
import LedgerCore
import LedgerProjections
import LedgerStore
import LedgerTesting
import Testing

/// Stops a projector inside `apply` until the test lets it go: a projection batch caught with its read-model
/// transaction open.
final class Gate: @unchecked Sendable {
    // @unchecked Sendable: two semaphores, which are thread-safe, and a lock-guarded counter.
    let entered = DispatchSemaphore(value: 0)
    let released = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var calls = 0

    /// True for the first call only.
    func first() -> Bool {
        lock.withLock {
            calls += 1
            return calls == 1
        }
    }
}

/// A projector that counts how often its tables are created and the events it folds, and can hold its first batch.
struct RecordingProjector: Projector {
    final class Record: @unchecked Sendable {
        // @unchecked Sendable: every access goes through the lock.
        private let lock = NSLock()
        private var created = 0
        func creation() { lock.withLock { created += 1 } }
        var creations: Int { lock.withLock { created } }
    }

    let name = "recording"
    let version = 1
    let record = Record()
    var gate: Gate?

    func createTables(_ db: Database) throws {
        record.creation()
        try db.execute(sql: "CREATE TABLE recording (seq INTEGER PRIMARY KEY) STRICT")
    }

    func dropTables(_ db: Database) throws {
        try db.execute(sql: "DROP TABLE IF EXISTS recording")
    }

    func apply(_ events: [ProjectedEvent], _ db: Database) throws {
        if let gate, gate.first() {
            gate.entered.signal()
            gate.released.wait()
        }
        for event in events { try db.execute(sql: "INSERT INTO recording (seq) VALUES (?)", arguments: [event.seq]) }
    }
}

/// The read models' own file: folding never takes the log's write lock, and a missing, damaged or foreign file is
/// rebuilt from the log rather than trusted or reported.
struct ReadModelStoreTests {
    private static func lead(_ clock: ManualClock, _ number: Int) -> NewLead {
        NewLead(
            leadID: LeadID.make(at: clock.now()), receivedAt: clock.now(),
            personal: PersonalData(phone: "+7916\(String(format: "%07d", number))"))
    }

    /// Read models of `log` folded from scratch into a file of their own: what any kept file must equal.
    private static func freshDump(_ log: EventLog, in directory: TemporaryDirectory) async throws -> [String: [String]] {
        let store = try ReadModelStore.open(path: directory.file("fresh-\(UUID().uuidString).sqlite"))
        try await ProjectionRunner(log: log, store: store).catchUp()
        return try readModelDump(store)
    }

    private static func logTables(_ log: EventLog) throws -> Set<String> {
        try log.database.read { db in
            Set(try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'"))
        }
    }

    @Test func theReadModelsLiveBesideTheLogAndNothingIsWrittenToTheLogFile() async throws {
        let fixture = try TemporaryLog()
        try LeadHistoryGenerator.write(leads: 40, to: fixture.log, clock: fixture.clock, seed: 1)
        let tablesBefore = try Self.logTables(fixture.log)
        let runner = try ProjectionRunner(log: fixture.log)
        #expect(runner.store.path == fixture.path + ".projections.sqlite")
        try await runner.catchUp()
        _ = try await runner.rebuild()
        #expect(try Self.logTables(fixture.log) == tablesBefore)
        #expect(try readModelDump(runner.store)["retry_queue"]?.count == 40)
        let mode = try await runner.store.database.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(mode?.lowercased() == "wal")
    }

    /// The log's busy timeout is 200 ms: if the batch held the log's write lock, the append would fail with `busy`, so
    /// a receipt is the proof that it did not wait for the batch.
    @Test func anAppendCommitsWhileAProjectionBatchIsOpen() async throws {
        var options = EventLogOptions()
        options.busyTimeoutMilliseconds = 200
        let fixture = try TemporaryLog(options: options)
        try LeadHistoryGenerator.write(leads: 30, to: fixture.log, clock: fixture.clock, seed: 2)
        let before = try fixture.log.count()
        let gate = Gate()
        let runner = try ProjectionRunner(log: fixture.log, projectors: [RecordingProjector(gate: gate)])
        let folding = Task.detached { try await runner.step() }
        // Waited for on a thread of its own: the fold blocks in the projector until released.
        await withCheckedContinuation { entered in
            Thread.detachNewThread {
                gate.entered.wait()
                entered.resume()
            }
        }
        // The batch's read-model transaction is open now, its write lock held.
        let receipt = try fixture.log.receive(Self.lead(fixture.clock, 1))
        gate.released.signal()
        let folded = try await folding.value
        #expect(receipt.seq == before + 1)
        #expect(folded == Int(before), "the batch folded the page it read, without the new lead")
        #expect(try await runner.step() == 1, "the next batch folds the lead appended meanwhile")
        #expect(try await runner.status(head: runner.log.head()?.seq ?? 0).allSatisfy { $0.lag == 0 })
    }

    @Test func anAppendCommitsWhileAnotherConnectionHoldsTheReadModelWriteLock() async throws {
        var options = EventLogOptions()
        options.busyTimeoutMilliseconds = 200
        let fixture = try TemporaryLog(options: options)
        let runner = try ProjectionRunner(log: fixture.log)
        var configuration = Configuration()
        configuration.allowsUnsafeTransactions = true  // the transaction is left open on purpose, across accesses
        let other = try DatabaseQueue(path: runner.store.path, configuration: configuration)
        try other.inDatabase { db in try db.execute(sql: "BEGIN IMMEDIATE") }
        let receipt = try fixture.log.receive(Self.lead(fixture.clock, 2))
        #expect(receipt.seq == 1)
        try other.inDatabase { db in try db.execute(sql: "COMMIT") }
        try await runner.catchUp()
        #expect(try RetryQueue(store: runner.store).entry(receipt.leadID)?.state == .pending)
    }

    /// A runner with nothing to fold takes no write lock on the read models: with another connection holding it
    /// past the 200 ms busy timeout, an idle step still answers 0, and the first step with a new event is the one that
    /// needs the lock (and fails `busy` while it is held).
    @Test func anIdleStepTakesNoWriteLock() async throws {
        var options = EventLogOptions()
        options.busyTimeoutMilliseconds = 200
        let fixture = try TemporaryLog(options: options)
        _ = try fixture.log.receive(Self.lead(fixture.clock, 1))
        let runner = try ProjectionRunner(log: fixture.log)
        try await runner.catchUp()
        var configuration = Configuration()
        configuration.allowsUnsafeTransactions = true  // the transaction is left open on purpose, across accesses
        let other = try DatabaseQueue(path: runner.store.path, configuration: configuration)
        try other.inDatabase { db in try db.execute(sql: "BEGIN IMMEDIATE") }
        #expect(try await runner.step() == 0)
        _ = try fixture.log.receive(Self.lead(fixture.clock, 2))
        await #expect(throws: (any Error).self) { try await runner.step() }
        try other.inDatabase { db in try db.execute(sql: "COMMIT") }
        #expect(try await runner.step() == 1)
    }

    /// The log file is replaced by another log (longer than the folded one, so the checkpoint's seq exists with another
    /// hash): the kept read models are dropped and folded again, and equal a fresh rebuild.
    @Test func readModelsOfAReplacedLogAreRebuiltAndMatchAFreshRebuild() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("ledger.sqlite")
        let otherPath = directory.file("other.sqlite")
        let clock = ManualClock(Timestamp(millisecondsSinceEpoch: 1_795_000_000_000))
        let record = RecordingProjector()
        let projectors = ProjectionRunner.standardProjectors + [record as any Projector]
        do {
            let log = try EventLog.open(path: path, clock: clock)
            try LeadHistoryGenerator.write(leads: 100, to: log, clock: clock, seed: 1)
            let runner = try ProjectionRunner(log: log, projectors: projectors, batchSize: 100)
            try await runner.catchUp()
            try LeadHistoryGenerator.write(leads: 10, to: log, clock: clock, seed: 2)
            try await runner.catchUp()
            #expect(record.record.creations == 1, "following the same log never rebuilds")
        }
        do {
            let other = try EventLog.open(path: otherPath, clock: clock)
            try LeadHistoryGenerator.write(leads: 300, to: other, clock: clock, seed: 3)
        }
        try FileManager.default.removeItem(atPath: path)
        try FileManager.default.copyItem(atPath: otherPath, toPath: path)

        let replaced = try EventLog.open(path: path, clock: clock)
        let runner = try ProjectionRunner(log: replaced, projectors: projectors)
        try await runner.catchUp()
        #expect(record.record.creations == 2)
        let kept = try readModelDump(runner.store)
        #expect(kept["retry_queue"]?.count == 300)
        #expect(kept == (try await Self.freshDump(replaced, in: directory)))
        #expect(try await runner.status(head: runner.log.head()?.seq ?? 0).allSatisfy { $0.lag == 0 })
    }

    /// The log is restored from an older backup: the checkpoints are past its head. Folded again from seq 1; and the
    /// leads appended after the restore are folded on top, as in a fresh rebuild.
    @Test func readModelsAheadOfALogRestoredFromABackupAreRebuilt() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("ledger.sqlite")
        let backup = directory.file("backup.sqlite")
        let clock = ManualClock(Timestamp(millisecondsSinceEpoch: 1_795_000_000_000))
        do {
            let log = try EventLog.open(path: path, clock: clock)
            try LeadHistoryGenerator.write(leads: 60, to: log, clock: clock, seed: 4)
        }
        try FileManager.default.copyItem(atPath: path, toPath: backup)
        do {
            let log = try EventLog.open(path: path, clock: clock)
            try LeadHistoryGenerator.write(leads: 60, to: log, clock: clock, seed: 5)
            try await ProjectionRunner(log: log).catchUp()
        }
        try FileManager.default.removeItem(atPath: path)
        try FileManager.default.copyItem(atPath: backup, toPath: path)

        let restored = try EventLog.open(path: path, clock: clock)
        let runner = try ProjectionRunner(log: restored)
        try await runner.catchUp()
        #expect(try readModelDump(runner.store)["retry_queue"]?.count == 60)
        #expect(try await readModelDump(runner.store) == (try Self.freshDump(restored, in: directory)))
        for number in 0..<5 { _ = try restored.receive(Self.lead(clock, number)) }
        try await runner.catchUp()
        #expect(try readModelDump(runner.store)["retry_queue"]?.count == 65)
        #expect(try await readModelDump(runner.store) == (try Self.freshDump(restored, in: directory)))
    }

    @Test func aMissingReadModelFileIsRebuiltFromTheLog() async throws {
        let fixture = try TemporaryLog()
        try LeadHistoryGenerator.write(leads: 80, to: fixture.log, clock: fixture.clock, seed: 6)
        let storePath = ReadModelStore.path(forLog: fixture.path)
        let expected = try await {
            let runner = try ProjectionRunner(log: fixture.log)
            try await runner.catchUp()
            return try readModelDump(runner.store)
        }()
        for file in [storePath, storePath + "-wal", storePath + "-shm"] { try? FileManager.default.removeItem(atPath: file) }
        let runner = try ProjectionRunner(log: fixture.log)
        #expect(try await runner.status(head: runner.log.head()?.seq ?? 0).allSatisfy { $0.checkpoint == 0 })
        try await runner.catchUp()
        #expect(try readModelDump(runner.store) == expected)
    }

    @Test func aFileThatIsNotADatabaseIsReplacedAndRebuilt() async throws {
        let fixture = try TemporaryLog()
        try LeadHistoryGenerator.write(leads: 80, to: fixture.log, clock: fixture.clock, seed: 7)
        let storePath = ReadModelStore.path(forLog: fixture.path)
        var random = SeededGenerator(seed: 7)
        let garbage = Data((0..<16_384).map { _ in UInt8(truncatingIfNeeded: random.next()) })
        #expect(FileManager.default.createFile(atPath: storePath, contents: garbage))
        let runner = try ProjectionRunner(log: fixture.log)
        try await runner.catchUp()
        #expect(try await readModelDump(runner.store) == (try Self.freshDump(fixture.log, in: fixture.directory)))
    }

    /// Pages damaged behind an intact header open without error; `rebuild` asks for `quick_check` and replaces the file.
    @Test func aFileWithDamagedPagesIsReplacedWhenTheIntegrityCheckIsAskedFor() async throws {
        let fixture = try TemporaryLog()
        try LeadHistoryGenerator.write(leads: 300, to: fixture.log, clock: fixture.clock, seed: 8)
        let storePath = ReadModelStore.path(forLog: fixture.path)
        do {
            let runner = try ProjectionRunner(log: fixture.log)
            try await runner.catchUp()
        }
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: storePath))
        let size = try handle.seekToEnd()
        #expect(size > 16_384)
        try handle.seek(toOffset: 8192)
        try handle.write(contentsOf: Data(repeating: 0xA5, count: Int(size) - 8192))
        try handle.close()

        let store = try ReadModelStore.open(beside: fixture.log, checkIntegrity: true)
        let runner = ProjectionRunner(log: fixture.log, store: store)
        #expect(try await runner.rebuild() == (try fixture.log.count()))
        #expect(try await readModelDump(store) == (try Self.freshDump(fixture.log, in: fixture.directory)))
    }

    @Test func aFileOfAnotherLayoutIsEmptiedAndRebuilt() async throws {
        let fixture = try TemporaryLog()
        try LeadHistoryGenerator.write(leads: 20, to: fixture.log, clock: fixture.clock, seed: 9)
        let storePath = ReadModelStore.path(forLog: fixture.path)
        do {
            let queue = try DatabaseQueue(path: storePath)
            try await queue.write { db in
                try db.execute(sql: "CREATE TABLE retry_queue (junk TEXT)")
                try db.execute(sql: "INSERT INTO retry_queue VALUES ('x')")
                try db.execute(sql: "PRAGMA user_version = 99")
            }
        }
        let runner = try ProjectionRunner(log: fixture.log)
        try await runner.catchUp()
        #expect(try await readModelDump(runner.store) == (try Self.freshDump(fixture.log, in: fixture.directory)))
    }

    /// A log opened read-only is projected: only the read models' file is written.
    @Test func aLogOpenedReadOnlyIsProjectedIntoTheReadModelFile() async throws {
        let fixture = try TemporaryLog()
        try LeadHistoryGenerator.write(leads: 25, to: fixture.log, clock: fixture.clock, seed: 10)
        var options = EventLogOptions()
        options.readOnly = true
        let readOnly = try EventLog.open(path: fixture.path, options: options, clock: fixture.clock)
        let runner = try ProjectionRunner(log: readOnly)
        try await runner.catchUp()
        let head = try fixture.log.count()
        #expect(try await runner.status(head: runner.log.head()?.seq ?? 0).allSatisfy { $0.lag == 0 && $0.checkpoint == head })
        #expect(try HealthView.load(runner.store, now: fixture.clock.now()).totals.receivedTotal == 25)
    }

    /// Logs from before the read models had their own file hold the old tables: left as they are, never read.
    @Test func staleReadModelTablesInsideAnOldLogAreLeftAlone() async throws {
        let fixture = try TemporaryLog()
        try LeadHistoryGenerator.write(leads: 15, to: fixture.log, clock: fixture.clock, seed: 11)
        try await fixture.log.database.write { db in
            try db.execute(sql: "CREATE TABLE retry_queue (lead_id TEXT PRIMARY KEY)")
            try db.execute(sql: "INSERT INTO retry_queue VALUES ('stale')")
            try db.execute(sql: "CREATE TABLE projection_checkpoint (name TEXT PRIMARY KEY, version INTEGER, seq INTEGER)")
            try db.execute(sql: "INSERT INTO projection_checkpoint VALUES ('retry_queue', 3, 999)")
        }
        let runner = try ProjectionRunner(log: fixture.log)
        try await runner.catchUp()
        #expect(try readModelDump(runner.store)["retry_queue"]?.count == 15)
        let stale = try await fixture.log.database.read { db in
            try String.fetchAll(db, sql: "SELECT lead_id FROM retry_queue")
        }
        #expect(stale == ["stale"])
    }
}

/// A box for a value one thread writes and another reads after a semaphore.
final class Mutable<Value>: @unchecked Sendable {
    // @unchecked Sendable: written before `signal`, read after `wait`.
    var value: Value
    init(_ value: Value) { self.value = value }
}
