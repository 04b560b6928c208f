import Foundation
import GRDB
import LedgerCore

/// What `backup` copied and found.
public struct BackupReport: Sendable {
    public var path: String
    public var bytes: Int64
    /// `verify` of the copy, opened on its own.
    public var verification: VerificationReport
}

extension EventLog {
    /// A consistent copy of the whole log at one instant, taken while `serve` and `react` keep writing, then verified.
    ///
    /// SQLite's online backup copies every page inside one read transaction of this log's pool: a snapshot, so
    /// appends committed meanwhile are simply not in it, and no writer waits for it. The copy goes to `DEST.partial`,
    /// is fsynced, renamed into place and its directory fsynced, so a crash mid-backup never leaves a `DEST` that looks
    /// whole. Then `DEST` is opened read-only like any log and verified; a copy that does not verify is an error.
    ///
    /// The copy is the log only: per-lead keys included (erasing a lead later does not reach this copy; see
    /// `schemas/personal-data.md`), read models not (they are rebuilt from it), nor the AmoCRM tokens file.
    public func backup(to destination: String) throws(StoreError) -> BackupReport {
        let partial = try Self.partialFile(for: destination)
        do {
            let copy = try DatabaseQueue(path: partial)
            try database.backup(to: copy)
            // The copy becomes a log like any other: WAL, so opening it read-only later needs no journal change.
            try copy.writeWithoutTransaction { db in _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL") }
            try copy.close()
        } catch {
            try? FileManager.default.removeItem(atPath: partial)
            let wrapped = StoreError.wrap(error, path: destination)
            throw StoreError(wrapped.code, "backup: \(wrapped.message)", path: destination)
        }
        return try Self.placeAndVerify(partial, at: destination)
    }

    /// A backup of a log in another store (PostgreSQL), written as a SQLite log file: one format for every backup,
    /// which `verify` reads and which restores as a SQLite log or migrates back with `migrate --to`.
    ///
    /// The copy stops at the head `source` had when the backup began, so appends committed meanwhile are not in it.
    /// Key rows are read as each batch is copied: a lead erased while the backup runs is erased in the copy too
    /// (its `LeadErased` may fall after the copy's head). Events, keys and the fingerprint key go through
    /// `LogCopy`, so the copy has the source's hashes and verifies on its own.
    public static func backup(
        of source: any EventStore, to destination: String, batchSize: Int = LogCopy.defaultBatchSize
    ) async throws(StoreError) -> BackupReport {
        let partial = try partialFile(for: destination)
        do throws(StoreError) {
            let copy = try EventLog.open(path: partial)
            let through = try await source.head()?.seq ?? 0
            _ = try await LogCopy.copy(from: source, to: copy, batchSize: batchSize, through: through)
            guard try copy.checkpointTruncate() else {
                throw StoreError(.ioError, "the copy's write-ahead log could not be emptied", path: partial)
            }
            do {
                try copy.database.close()
            } catch {
                throw StoreError.wrap(error, path: partial)
            }
        } catch {
            removeJournal(of: partial)
            try? FileManager.default.removeItem(atPath: partial)
            throw StoreError(error.code, "backup: \(error.message)", path: destination)
        }
        // Emptied by the checkpoint and closed: everything is in the file itself.
        removeJournal(of: partial)
        return try placeAndVerify(partial, at: destination)
    }

    private static func removeJournal(of path: String) {
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    /// `DEST.partial`, cleared, once `destination` is known not to exist.
    private static func partialFile(for destination: String) throws(StoreError) -> String {
        guard !FileManager.default.fileExists(atPath: destination) else {
            throw StoreError(.other, "backup destination exists; choose a new file name", path: destination)
        }
        let partial = destination + ".partial"
        try? FileManager.default.removeItem(atPath: partial)
        return partial
    }

    /// Fsyncs the finished copy, renames it into place, fsyncs its directory, then opens it read-only like any log
    /// and verifies it.
    private static func placeAndVerify(_ partial: String, at destination: String) throws(StoreError) -> BackupReport {
        do throws(StoreError) {
            try fsync(path: partial)
            guard rename(partial, destination) == 0 else {
                throw StoreError(.ioError, "cannot rename the copy into place: \(String(cString: strerror(errno)))")
            }
            try fsync(path: URL(fileURLWithPath: destination).deletingLastPathComponent().path)
        } catch {
            try? FileManager.default.removeItem(atPath: partial)
            throw StoreError(error.code, "backup: \(error.message)", path: destination)
        }
        var options = EventLogOptions()
        options.readOnly = true
        let copy = try EventLog.open(path: destination, options: options)
        let verification = try copy.verify()
        let bytes = (try? FileManager.default.attributesOfItem(atPath: destination)[.size] as? NSNumber)?.int64Value ?? 0
        return BackupReport(path: destination, bytes: bytes, verification: verification)
    }

    private static func fsync(path: String) throws(StoreError) {
        let descriptor = Glibc.open(path, O_RDONLY)
        guard descriptor >= 0 else { throw StoreError(.ioError, "cannot open \(path) to fsync it") }
        defer { _ = Glibc.close(descriptor) }
        guard Glibc.fsync(descriptor) == 0 else {
            throw StoreError(.ioError, "fsync failed: \(String(cString: strerror(errno)))", path: path)
        }
    }
}
