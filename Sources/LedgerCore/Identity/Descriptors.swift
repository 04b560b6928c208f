import Foundation

/// Open file descriptors as a resource: every connection, log file and read model takes one, and a process at its
/// limit can accept no lead. A systemd service starts with a soft limit of 1,024 and a far higher hard one, so the
/// long-running commands raise the soft limit to the hard one at start and say what they got.
public enum Descriptors {
    /// The soft and hard `RLIMIT_NOFILE` of this process.
    public static func limits() -> (soft: Int, hard: Int) {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return (1024, 1024) }
        return (clamp(limit.rlim_cur), clamp(limit.rlim_max))
    }

    /// The soft limit, which is what `accept` and `open` run into.
    public static func limit() -> Int { limits().soft }

    /// Descriptors open now, counted in `/proc/self/fd` (at most the limit's worth of entries); nil without procfs.
    public static func open() -> Int? {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return nil }
        // The directory listing holds one descriptor of its own while it reads; it is closed again by now.
        return max(0, entries.count - 1)
    }

    /// What raising the soft limit came to.
    public enum Raise: Sendable, Equatable, CustomStringConvertible {
        case raised(from: Int, to: Int)
        case alreadyAtHardLimit(Int)
        case refused(soft: Int, hard: Int, errno: Int32)

        public var description: String {
            switch self {
            case .raised(let from, let to): "descriptor limit raised from \(from) to the hard limit \(to)"
            case .alreadyAtHardLimit(let limit): "descriptor limit \(limit) (already the hard limit)"
            case .refused(let soft, let hard, let code):
                "descriptor limit stays \(soft): raising it to the hard limit \(hard) failed (\(String(cString: strerror(code))))"
            }
        }
    }

    /// Raises the soft limit to the hard one.
    public static func raiseSoftLimitToHard() -> Raise {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else {
            return .refused(soft: 1024, hard: 1024, errno: errno)
        }
        let (soft, hard) = (clamp(limit.rlim_cur), clamp(limit.rlim_max))
        guard limit.rlim_cur < limit.rlim_max else { return .alreadyAtHardLimit(soft) }
        var raised = limit
        raised.rlim_cur = limit.rlim_max
        guard setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 else {
            return .refused(soft: soft, hard: hard, errno: errno)
        }
        return .raised(from: soft, to: hard)
    }

    private static func clamp(_ value: rlim_t) -> Int { value >= rlim_t(Int32.max) ? Int(Int32.max) : Int(value) }
}
