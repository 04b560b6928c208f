import Foundation
import GRDB
import LedgerCore
import Synchronization

/// The append-only, hash-chained event log in one SQLite file.
///
/// One `EventLog` per file per process (GRDB's rule 1); `serve` and `react` each open their own and share the file
/// through WAL and a busy timeout. Every write is an explicit `BEGIN IMMEDIATE` transaction, so the chain head is read
/// and extended under the write lock and two processes can never fork the chain.
///
/// - Important: `append` and `receive` return only after COMMIT with `synchronous=FULL` in WAL mode, i.e. after the
///   WAL is fsynced. That is what lets ingest answer 2xx.
public final class EventLog: Sendable {
    public let path: String
    public let options: EventLogOptions
    /// The connection pool. Read models live in a file of their own (`ReadModelStore`, beside this one) and only read
    /// the log, through snapshots: nothing but the log's own writes takes this file's write lock.
    public let database: DatabasePool
    let clock: any LedgerClock
    /// Seals and fingerprints leads under the log's contact secret, read at open; replaced only when a copy into the
    /// empty log brings the source's secret (`importVerbatim`).
    private let preparerState: Mutex<LeadPreparer>
    var preparer: LeadPreparer { preparerState.withLock { $0 } }
    var fingerprinter: ContactFingerprinter { preparer.fingerprinter }
    /// Recent leads' contact fingerprints, for live double-submission checks without an index in the log.
    let recentContacts: RecentContacts

    private init(path: String, options: EventLogOptions, database: DatabasePool, clock: any LedgerClock, secret: [UInt8]) {
        self.path = path
        self.options = options
        self.database = database
        self.clock = clock
        self.preparerState = Mutex(LeadPreparer(contactSecret: secret))
        self.recentContacts = RecentContacts(
            windowSeconds: options.recentContactSeconds, capacity: options.recentContactCapacity,
            catchUpLimit: options.recentContactCatchUp)
    }

    /// SQLite reports a read-only file system as "unable to open database file"; say what it is, so an operator
    /// looks at the disk (remounted read-only after errors, a full quota) instead of the path. `access` answers
    /// EROFS even for root, for whom permission bits never say no.
    private static func requireWritable(path: String, directory: String) throws(StoreError) {
        for target in [path, directory] where FileManager.default.fileExists(atPath: target) {
            if access(target, W_OK) != 0 {
                let reason =
                    errno == EROFS ? "the file system is read-only" : "not writable (\(String(cString: strerror(errno))))"
                throw StoreError(.readOnly, "\(target): \(reason); the ledger cannot record leads here", path: path)
            }
            return
        }
    }

    /// Opens (creating if needed) the log at `path`, applies migrations, and checks that durability is what the
    /// ledger promises. Fails with a `StoreError` naming the problem; never returns a log it cannot trust.
    public static func open(
        path: String, options: EventLogOptions = EventLogOptions(), clock: any LedgerClock = SystemClock()
    ) throws(StoreError) -> EventLog {
        do {
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
            if !options.readOnly && !FileManager.default.fileExists(atPath: directory) {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            }
            if !options.readOnly {
                try requireWritable(path: path, directory: directory)
            }
            let pool = try DatabasePool(path: path, configuration: configuration(options))
            let migrator = LogSchema.migrator()
            try pool.read { db in
                if try migrator.hasBeenSuperseded(db) {
                    throw StoreError(
                        .schemaTooNew,
                        "the log was written by a newer LeadLedger (unknown migrations: "
                            + "\(try Set(migrator.appliedIdentifiers(db)).subtracting(migrator.migrations).sorted().joined(separator: ", "))); "
                            + "upgrade this binary",
                        path: path)
                }
            }
            if !options.readOnly {
                // GRDB's pool switches its writer to synchronous=NORMAL when it enables WAL, after `prepareDatabase`
                // ran; set FULL again on the (single, long-lived) writer connection, then read it back.
                try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
                try migrate(migrator, pool)
                try checkDurability(pool, path: path)
            } else if try !pool.read({ try migrator.hasCompletedMigrations($0) }) {
                throw StoreError(.corrupt, "not a LeadLedger event log (migrations missing)", path: path)
            }
            let secret = try pool.read { db in
                try Data.fetchOne(db, sql: "SELECT value FROM ledger_secret WHERE name = 'contact_fingerprint'")
            }
            guard let secret, secret.count >= 32 else {
                throw StoreError(.corrupt, "the contact fingerprint secret is missing", path: path)
            }
            return EventLog(path: path, options: options, database: pool, clock: clock, secret: Array(secret))
        } catch {
            throw StoreError.wrap(error, path: path)
        }
    }

    /// Two processes may start on a new file together; the loser of the race sees the winner's tables and retries.
    private static func migrate(_ migrator: DatabaseMigrator, _ pool: DatabasePool) throws {
        do {
            try migrator.migrate(pool)
        } catch {
            try migrator.migrate(pool)
        }
    }

    private static func configuration(_ options: EventLogOptions) -> Configuration {
        var configuration = Configuration()
        configuration.readonly = options.readOnly
        configuration.busyMode = .timeout(TimeInterval(options.busyTimeoutMilliseconds) / 1000)
        configuration.label = "leadledger"
        configuration.publicStatementArguments = false
        configuration.prepareDatabase { db in
            // FULL: the WAL is fsynced on every commit, so an acknowledged lead survives power loss.
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // Erased keys are overwritten with zeros, not left in free space.
            try db.execute(sql: "PRAGMA secure_delete = ON")
        }
        return configuration
    }

    /// Reads the settings back, the pair of the `PRAGMA`s above: a wrapper or a build that silently runs with
    /// NORMAL would otherwise lose acknowledged leads on power loss.
    private static func checkDurability(_ pool: DatabasePool, path: String) throws {
        try pool.write { db in
            let journal = try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "?"
            let synchronous = try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1
            guard journal.lowercased() == "wal" else {
                throw StoreError(.durabilityNotGuaranteed, "journal_mode is \(journal), expected wal", path: path)
            }
            guard synchronous == 2 else {
                throw StoreError(.durabilityNotGuaranteed, "synchronous is \(synchronous), expected 2 (FULL)", path: path)
            }
        }
    }

    func useContactSecret(_ secret: [UInt8]) {
        preparerState.withLock { $0 = LeadPreparer(contactSecret: secret) }
    }

    /// The last event's position and hash, or nil for an empty log.
    public func head() throws(StoreError) -> ChainHead? {
        try read { db in try ChainHead.fetch(db) }
    }

    func read<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try database.read(body)
        } catch {
            throw StoreError.wrap(error, path: path)
        }
    }

    /// Runs `body` in one `BEGIN IMMEDIATE` transaction, for writes that read state and then write it: taking the
    /// write lock first means the read cannot go stale (a deferred transaction that reads, then writes, can fail with
    /// SQLITE_BUSY_SNAPSHOT, which no busy timeout retries). Errors are rethrown unchanged.
    func immediateTransaction<T>(_ body: (Database) throws -> T) throws -> T {
        try database.writeWithoutTransaction { db in
            var result: T?
            try db.inTransaction(.immediate) {
                result = try body(db)
                return .commit
            }
            guard let result else { throw StoreError(.other, "transaction produced no result", path: path) }
            return result
        }
    }

    /// `immediateTransaction` for the log's own writes, with every failure classified as a `StoreError`.
    func writeImmediate<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try immediateTransaction(body)
        } catch {
            throw StoreError.wrap(error, path: path)
        }
    }
}

/// The end of the chain: the next event gets `seq + 1` and `prev_hash = hash`.
public struct ChainHead: Sendable, Equatable {
    public var seq: Int64
    public var hash: String

    public init(seq: Int64, hash: String) {
        self.seq = seq
        self.hash = hash
    }

    static func fetch(_ db: Database) throws -> ChainHead? {
        let statement = try db.cachedStatement(sql: "SELECT seq, hash FROM event ORDER BY seq DESC LIMIT 1")
        guard let row = try Row.fetchOne(statement) else { return nil }
        return ChainHead(seq: row["seq"], hash: row["hash"])
    }
}
