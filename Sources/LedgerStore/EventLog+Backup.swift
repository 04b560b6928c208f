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
        let manager = FileManager.default
        guard !manager.fileExists(atPath: destination) else {
            throw StoreError(.other, "backup destination exists; choose a new file name", path: destination)
        }
        let partial = destination + ".partial"
        try? manager.removeItem(atPath: partial)
        do {
            let copy = try DatabaseQueue(path: partial)
            try database.backup(to: copy)
            // The copy becomes a log like any other: WAL, so opening it read-only later needs no journal change.
            try copy.writeWithoutTransaction { db in _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL") }
            try copy.close()
            try Self.fsync(path: partial)
            guard rename(partial, destination) == 0 else {
                throw StoreError(.ioError, "cannot rename the copy into place: \(String(cString: strerror(errno)))")
            }
            try Self.fsync(path: URL(fileURLWithPath: destination).deletingLastPathComponent().path)
        } catch let error as StoreError {
            try? manager.removeItem(atPath: partial)
            throw StoreError(error.code, "backup: \(error.message)", path: destination)
        } catch {
            try? manager.removeItem(atPath: partial)
            throw StoreError.wrap(error, path: destination)
        }
        var options = EventLogOptions()
        options.readOnly = true
        let copy = try EventLog.open(path: destination, options: options)
        let verification = try copy.verify()
        let bytes = (try? manager.attributesOfItem(atPath: destination)[.size] as? NSNumber)?.int64Value ?? 0
        return BackupReport(path: destination, bytes: bytes, verification: verification)
    }

    private static func fsync(path: String) throws {
        let descriptor = Glibc.open(path, O_RDONLY)
        guard descriptor >= 0 else { throw StoreError(.ioError, "cannot open \(path) to fsync it") }
        defer { _ = Glibc.close(descriptor) }
        guard Glibc.fsync(descriptor) == 0 else {
            throw StoreError(.ioError, "fsync failed: \(String(cString: strerror(errno)))", path: path)
        }
    }
}
