import Foundation

/// Finds the ledger's files that someone other than their owner may read or write: the log (each lead's key sits
/// beside its sealed data), its read models and status files, the AmoCRM token file and the reports. Every command
/// creates them private (`umask 077` at start); this is for files made by an older version, copied in, or loosened
/// by hand, which `check-config` names so the owner can `chmod` them.
enum FilePrivacy {
    /// A file or directory whose mode grants group or others anything.
    struct Exposure: Equatable {
        var path: String
        var mode: Int
        var isDirectory: Bool

        var warning: String {
            let octal = String(mode, radix: 8)
            let fix = isDirectory ? "chmod 700" : "chmod 600"
            return "warning: \(path) is open to other users (mode \(octal)); the ledger's files are private: \(fix) '\(path)'"
        }
    }

    /// Files looked at in the reports directory; a year of nightly reports is about 1,500.
    static let maxReportFiles = 5000

    /// This host's files, named after `localState` (`LedgerSettings.localStateBase`: a SQLite log's own path, with
    /// its `-wal`, `-shm`, `.projections.sqlite…`, `.amocrm-tokens.json` and status files; for PostgreSQL the same
    /// files as `postgres-ledger.*`), the reports directory and the files in it.
    static func exposures(localState: String, reportsDirectory: String) -> [Exposure] {
        let manager = FileManager.default
        let base = URL(fileURLWithPath: localState)
        let directory = base.deletingLastPathComponent().path
        let name = base.lastPathComponent
        var paths = ((try? manager.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { $0.hasPrefix(name) }.sorted().map { directory + "/" + $0 }
        paths.append(reportsDirectory)
        let reports = ((try? manager.contentsOfDirectory(atPath: reportsDirectory)) ?? []).sorted().prefix(maxReportFiles)
        paths += reports.map { reportsDirectory + "/" + $0 }
        return paths.compactMap(exposure)
    }

    static func exposure(_ path: String) -> Exposure? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        let kind = info.st_mode & S_IFMT
        guard kind == S_IFREG || kind == S_IFDIR else { return nil }
        let mode = Int(info.st_mode & 0o777)
        guard mode & 0o077 != 0 else { return nil }
        return Exposure(path: path, mode: mode, isDirectory: kind == S_IFDIR)
    }
}
