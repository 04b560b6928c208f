import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A child started with `posix_spawn`, with SIGTERM, SIGINT and SIGPIPE at their defaults and no signal blocked.
///
/// Foundation's `Process` would hand the child this process's signal state: `run` ignores SIGTERM and SIGINT to
/// receive them through dispatch, and an ignored or blocked signal survives `exec`, so a child started that way could
/// not be stopped by the very signal a supervisor sends. `posix_spawn` resets both in the child.
struct ChildProcess {
    let name: String
    let pid: pid_t
    let startedAt: Date

    /// How a child ended, as `waitpid` reports it.
    enum Exit: Equatable, CustomStringConvertible {
        case exited(Int32)
        case signaled(Int32)

        var description: String {
            switch self {
            case .exited(let code): "exited with status \(code)"
            case .signaled(let signal): "was killed by signal \(signal)"
            }
        }
    }

    struct SpawnError: Error, CustomStringConvertible {
        var name: String
        var executable: String
        var errno: Int32
        var description: String { "cannot start \(name) (\(executable)): \(String(cString: strerror(errno)))" }
    }

    static func spawn(name: String, executable: String, arguments: [String], environment: [String: String]) throws(SpawnError)
        -> ChildProcess
    {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGPIPE, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, nil, &attributes, argv, envp)
        guard result == 0 else { throw SpawnError(name: name, executable: executable, errno: result) }
        return ChildProcess(name: name, pid: pid, startedAt: Date())
    }

    /// Nil while the child runs; its exit once it has ended (and is reaped).
    func poll() -> Exit? {
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        guard result == pid else { return result < 0 && errno == ECHILD ? .exited(-1) : nil }
        // The <sys/wait.h> macros are not visible to Swift: low 7 bits are the signal, the next byte the exit code.
        let signal = status & 0x7f
        return signal == 0 ? .exited((status >> 8) & 0xff) : .signaled(signal)
    }

    func signal(_ signal: Int32) {
        _ = kill(pid, signal)
    }
}
