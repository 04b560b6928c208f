import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Small owner-only files beside the log that must survive a crash whole: written to a temporary file, fsynced,
/// renamed over the old one, the directory fsynced. A crash leaves the old file or the new one, never a torn one.
/// Owner-only by default; the nightly reports (no personal data, read by people) pass 0644.
enum DurableFile {
    static func write(_ data: Data, to path: String, mode: mode_t = 0o600) throws {
        let temporary = path + ".tmp"
        unlink(temporary)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        let written = data.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor)
        close(descriptor)
        guard written == data.count, synced == 0 else {
            unlink(temporary)
            throw POSIXError(.EIO)
        }
        guard rename(temporary, path) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        let directory = open(URL(fileURLWithPath: path).deletingLastPathComponent().path, O_RDONLY | O_DIRECTORY)
        if directory >= 0 {
            fsync(directory)
            close(directory)
        }
    }
}
