import Foundation
import LedgerTesting

/// A small tmpfs mounted for one test: a file system that really fills up and really turns read-only under a running
/// `serve`. Needs root (CI runs as root; `make test` says so when it is not).
final class TmpfsMount: @unchecked Sendable {
    // @unchecked Sendable: used by the one test that owns it.
    let path: String
    private let directory: TemporaryDirectory

    init(kilobytes: Int) throws {
        guard getuid() == 0 else {
            throw HarnessError(message: "storage-fault tests mount a tmpfs and need root (run make test as root, as CI does)")
        }
        directory = try TemporaryDirectory(prefix: "leadledger-tmpfs")
        path = directory.file("fs")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try Self.mount(["-t", "tmpfs", "-o", "size=\(kilobytes)k", "tmpfs", path])
    }

    func remount(readOnly: Bool) throws {
        try Self.mount(["-o", readOnly ? "remount,ro" : "remount,rw", path])
    }

    /// Bytes still free.
    var freeBytes: Int64 {
        var stats = statvfs()
        guard statvfs(path, &stats) == 0 else { return 0 }
        return Int64(stats.f_bavail) * Int64(stats.f_frsize)
    }

    /// Fills all but `leaving` bytes with a file at `filler`.
    func fill(leaving: Int64) throws -> String {
        let filler = "\(path)/filler"
        let size = max(0, freeBytes - leaving)
        guard FileManager.default.createFile(atPath: filler, contents: Data(count: Int(size))) else {
            throw HarnessError(message: "could not write the filler file")
        }
        return filler
    }

    private static func mount(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/mount")
        process.arguments = arguments
        try ProcessExit.launch(process).wait()
        guard process.terminationStatus == 0 else {
            throw HarnessError(message: "mount \(arguments.joined(separator: " ")) failed: \(process.terminationStatus)")
        }
    }

    deinit {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/umount")
        process.arguments = ["-l", path]
        (try? ProcessExit.launch(process))?.wait()
    }
}
