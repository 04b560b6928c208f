import Foundation

/// Live facts of the machine that health, metrics and the alert rules read: one reading, so they never disagree.
public enum HostFacts {
    /// Resident set size of this process from /proc/self/statm (pages × page size); nil where there is no procfs.
    public static func residentBytes() -> Int64? {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int64(fields[1]) else { return nil }
        return pages * Int64(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// Free bytes on the file system holding the log file at `logPath`.
    public static func freeDiskBytes(forLog logPath: String) -> Int64? {
        let directory = URL(fileURLWithPath: logPath).deletingLastPathComponent().path
        return (try? FileManager.default.attributesOfFileSystem(forPath: directory)[.systemFreeSize] as? NSNumber)?.int64Value
    }

    /// Memory in use against its limit. Under a cgroup v2 limit (systemd's `MemoryMax=`, a container's limit): the
    /// cgroup's usage against it, which covers `serve` and `react` together when they share the unit. Otherwise this
    /// process's resident memory against `fallbackLimit` (`LEADLEDGER_MEMORY_LIMIT_MB`).
    public static func memory(fallbackLimit: Int64, cgroup: String = "/sys/fs/cgroup") -> (used: Int64, limit: Int64)? {
        if let max = number(atPath: "\(cgroup)/memory.max"), let current = number(atPath: "\(cgroup)/memory.current") {
            return (current, max)
        }
        return residentBytes().map { ($0, fallbackLimit) }
    }

    private static func number(atPath path: String) -> Int64? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return Int64(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
