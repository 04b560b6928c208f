import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Only one reactor may send at a time: two would both see the same due lead and create it twice in AmoCRM.
///
/// An exclusive `flock` on `<log>.react.lock`, held for the life of the process. The kernel drops it when the process
/// dies (SIGKILL included), so a crashed reactor never leaves a stale lock that blocks its restart.
public final class ReactorLock: Sendable {
    public let path: String
    private let descriptor: Int32

    /// Takes the lock, or throws at once naming the file when another reactor holds it.
    public init(logPath: String) throws(ReactorLockError) {
        path = logPath + ".react.lock"
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw ReactorLockError(path: path, reason: String(cString: strerror(errno)))
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let reason =
                errno == EWOULDBLOCK
                ? "another `leadledger react` is running on this log" : String(cString: strerror(errno))
            close(descriptor)
            throw ReactorLockError(path: path, reason: reason)
        }
        self.descriptor = descriptor
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}

public struct ReactorLockError: Error, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "\(path): \(reason)" }
}
