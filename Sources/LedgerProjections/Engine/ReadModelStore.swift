import Foundation
import GRDB
import LedgerStore

#if canImport(Glibc)
    import Glibc
#endif

/// The read models' own SQLite file, `<log>.projections.sqlite` beside the log: the retry queue, the health view, the
/// cost report, the hourly activity and `projection_checkpoint`.
///
/// Why a file of their own: folding takes this file's write lock, never the log's, so a projection batch cannot make
/// ingest's group commit wait (it did, and that was most of the HTTP benchmark's p99). The runner reads the log through
/// the storage seam (`EventStore.facts`) and writes here.
///
/// Everything here is derived from the log and disposable, which decides how the file is handled:
/// - WAL with `synchronous=NORMAL`: a power loss may drop the last commits, never tear one. Each batch stores its
///   checkpoints in the same transaction as its rows, so a lost tail is a lost checkpoint too and is simply folded
///   again. (The log itself stays `synchronous=FULL`.)
/// - `secure_delete` off: read models hold no personal data (no contact fields, no keys), so dropped pages need not be
///   zeroed; zeroing a million-event projection cost most of a second of a rebuild.
/// - A missing file is created; one that does not open as a database (SQLITE_CORRUPT, SQLITE_NOTADB) is deleted and
///   created again; one of another layout (`user_version`) is emptied. The runner then folds the log from seq 1: never
///   an error for the user. A file that belongs to another log (the log was restored from a backup, or replaced) is
///   caught per projector by the runner, which stores with each checkpoint the hash of the last event it folded.
/// - Logs written before read models had their own file still hold stale `retry_queue`, `health_view`,
///   `cost_report_lead` and `projection_checkpoint` tables inside the log file. They are left alone (nothing here
///   writes to the log file) and read by nothing; the read models are rebuilt here from the log on first use.
///
/// One store per file per process (GRDB's rule, as for the log); `serve` and `react` each open their own and share the
/// file through WAL and the busy timeout, which is the log's.
public final class ReadModelStore: Sendable {
    /// Bump when the file's own layout (not a projector's tables) changes: a file of another layout is emptied.
    static let layoutVersion = 1

    public let path: String
    /// The connection pool; projectors write and readers read through it.
    public let database: DatabasePool
    /// Largest page a read-model query returns (the log's `maxPageSize`).
    public let maxPageSize: Int

    private init(path: String, database: DatabasePool, maxPageSize: Int) {
        self.path = path
        self.database = database
        self.maxPageSize = maxPageSize
    }

    /// `<log path>.projections.sqlite`.
    public static func path(forLog logPath: String) -> String { logPath + ".projections.sqlite" }

    /// Opens (creating, or replacing when damaged) the read models beside `log`, with the log's busy timeout and page
    /// size. Works for a log opened read-only too: only this file is written. `checkIntegrity` runs SQLite's
    /// `quick_check` first and replaces a file that fails it (`leadledger rebuild` asks for it).
    public static func open(beside log: EventLog, checkIntegrity: Bool = false) throws(ReadModelStoreError) -> ReadModelStore {
        try open(path: path(forLog: log.path), options: log.options, checkIntegrity: checkIntegrity)
    }

    public static func open(
        path: String, options: EventLogOptions = EventLogOptions(), checkIntegrity: Bool = false
    ) throws(ReadModelStoreError) -> ReadModelStore {
        try requireWritable(path)
        do {
            do {
                return try make(path, options, checkIntegrity: checkIntegrity)
            } catch  where isCorruption(error) {
                try remove(path)
                return try make(path, options, checkIntegrity: false)
            } catch {
                // Two processes may create the file together; the one that lost the race finds it made and retries.
                return try make(path, options, checkIntegrity: false)
            }
        } catch let error as ReadModelStoreError {
            throw error
        } catch {
            throw ReadModelStoreError(path: path, reason: "cannot be opened: \(error)")
        }
    }

    /// True for SQLite's "damaged file" and "not a database" errors.
    static func isCorruption(_ error: any Error) -> Bool {
        guard let error = error as? DatabaseError else { return false }
        return error.resultCode == .SQLITE_CORRUPT || error.resultCode == .SQLITE_NOTADB
    }

    /// The file, its `-wal` and its `-shm` must be writable, so the directory must be. `access` answers EROFS even for
    /// root, for whom permission bits never say no.
    private static func requireWritable(_ path: String) throws(ReadModelStoreError) {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        for target in [directory, path] where FileManager.default.fileExists(atPath: target) {
            if access(target, W_OK) != 0 {
                let reason =
                    errno == EROFS ? "the file system is read-only" : "not writable (\(String(cString: strerror(errno))))"
                throw ReadModelStoreError(
                    path: path,
                    reason: "\(target): \(reason); read models are kept in their own file beside the log and must be "
                        + "written to answer (the log itself is only read)")
            }
        }
    }

    private static func remove(_ path: String) throws {
        for file in [path, path + "-wal", path + "-shm"] where FileManager.default.fileExists(atPath: file) {
            try FileManager.default.removeItem(atPath: file)
        }
    }

    private static func make(_ path: String, _ options: EventLogOptions, checkIntegrity: Bool) throws -> ReadModelStore {
        let pool = try DatabasePool(path: path, configuration: configuration(options))
        if checkIntegrity {
            let result = try pool.read { db in try String.fetchOne(db, sql: "PRAGMA quick_check(1)") }
            if result != "ok" {
                throw DatabaseError(resultCode: .SQLITE_CORRUPT, message: "quick_check: \(result ?? "no answer")")
            }
        }
        try pool.writeWithoutTransaction { db in
            try db.inTransaction(.immediate) {
                let layout = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
                if layout != layoutVersion {
                    let tables = try String.fetchAll(
                        db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
                    for table in tables { try db.execute(sql: "DROP TABLE \(table.quotedDatabaseIdentifier)") }
                    try Checkpoints.createTable(db)
                    try db.execute(sql: "PRAGMA user_version = \(layoutVersion)")
                }
                return .commit
            }
        }
        return ReadModelStore(path: path, database: pool, maxPageSize: options.maxPageSize)
    }

    private static func configuration(_ options: EventLogOptions) -> Configuration {
        var configuration = Configuration()
        configuration.busyMode = .timeout(TimeInterval(options.busyTimeoutMilliseconds) / 1000)
        configuration.label = "leadledger.readmodels"
        configuration.publicStatementArguments = false
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            try db.execute(sql: "PRAGMA secure_delete = OFF")
        }
        return configuration
    }

    /// Runs `body` in one `BEGIN IMMEDIATE` transaction on this file: the runner reads checkpoints under the write
    /// lock, so of two processes folding at once, one folds a batch and the other finds it done.
    /// GRDB runs it on the file's writer queue; the caller waits without holding a thread.
    func immediateTransaction<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let path = path
        return try await database.writeWithoutTransaction { db in
            var result: T?
            try db.inTransaction(.immediate) {
                result = try body(db)
                return .commit
            }
            guard let result else { throw ReadModelStoreError(path: path, reason: "transaction produced no result") }
            return result
        }
    }
}

/// The read-model file cannot be opened or written; says which file and why.
public struct ReadModelStoreError: Error, CustomStringConvertible {
    public var path: String
    public var reason: String

    public var description: String { "read models [\(path)]: \(reason)" }
}
