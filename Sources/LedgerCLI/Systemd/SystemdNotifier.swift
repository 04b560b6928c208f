import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// systemd's readiness and watchdog protocol (sd_notify(3)) spoken directly: one datagram of `KEY=VALUE` lines to the
/// socket named by `$NOTIFY_SOCKET`. A dozen lines instead of linking libsystemd, which a minimal server may not have,
/// and which would tie the binary to systemd when PM2 or `leadledger run` supervise it instead.
///
/// Without `$NOTIFY_SOCKET` (not under a `Type=notify` unit) there is no notifier, and nothing is sent.
public struct SystemdNotifier: Sendable {
    /// A filesystem path, or an abstract socket name starting with `@`.
    public let socketPath: String
    /// Half of `$WATCHDOG_USEC` (systemd's advice): how often to say `WATCHDOG=1`. Nil when no watchdog is set for
    /// this process.
    public let watchdogInterval: Duration?

    /// Reads the environment systemd sets for the unit's main process. Nil when it set none.
    public init?(environment: [String: String] = ProcessInfo.processInfo.environment, pid: Int32 = getpid()) {
        guard let path = environment["NOTIFY_SOCKET"], path.hasPrefix("/") || path.hasPrefix("@"),
            path.utf8.count < MemoryLayout.size(ofValue: sockaddr_un().sun_path)
        else { return nil }
        socketPath = path
        // WATCHDOG_PID names the process the watchdog is for; a child that inherited the variables is not it.
        let forThisProcess = environment["WATCHDOG_PID"].map { Int32($0) == pid } ?? true
        if forThisProcess, let text = environment["WATCHDOG_USEC"], let microseconds = Int64(text), microseconds > 0 {
            watchdogInterval = .microseconds(microseconds / 2)
        } else {
            watchdogInterval = nil
        }
    }

    /// Sends `state` (e.g. `READY=1`). Returns whether the datagram went out; a supervisor that is gone is not an
    /// error worth stopping for, so callers may ignore it.
    @discardableResult
    public func notify(_ state: String) -> Bool {
        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var path = Array(socketPath.utf8)
        let abstract = path.first == UInt8(ascii: "@")
        if abstract { path[0] = 0 }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            buffer.copyBytes(from: path.prefix(buffer.count - 1))
        }
        guard let pathOffset = MemoryLayout<sockaddr_un>.offset(of: \.sun_path) else { return false }
        // An abstract name is exactly its bytes; a path is NUL-terminated.
        let length = socklen_t(pathOffset + path.count + (abstract ? 0 : 1))
        let message = Array(state.utf8)
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                message.withUnsafeBytes { bytes in
                    sendto(descriptor, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL), socketAddress, length)
                }
            }
        }
        return sent == message.count
    }
}
