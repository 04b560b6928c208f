import Dispatch
import Foundation
import Synchronization

/// A launched child process's exit, learned from its termination handler.
///
/// Foundation's `Process.waitUntilExit()` spins the calling thread's run loop until the process is seen to end; on
/// Linux, called from a pool thread (a Swift concurrency cooperative thread, not the main thread), it can park that
/// thread forever for a child that has long exited, and a test run then hangs with no test failing
/// (swift-corelibs-foundation; cai-layer/cai#49 met the same after a few hundred runs). The termination handler is
/// delivered on a thread of Foundation's own, so it is set before `run()` (a child that exits at once is not missed)
/// and both kinds of waiting hang off it: `wait()` for synchronous helpers, `exited()` for async tests, which then
/// hold no cooperative thread while the child runs. Once either returns, `terminationStatus` may be read.
public final class ProcessExit: Sendable {
    private struct State {
        var ended = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())
    private let semaphore = DispatchSemaphore(value: 0)

    private init() {}

    /// Sets `process`'s termination handler and runs it; the process must not have a handler of its own.
    public static func launch(_ process: Process) throws -> ProcessExit {
        let exit = ProcessExit()
        process.terminationHandler = { ended in
            // Foundation starts this handler's thread just before it marks the process as ended, and reading the
            // status before that traps; the gap is a few instructions long.
            while ended.isRunning { usleep(100) }
            exit.end()
        }
        try process.run()
        return exit
    }

    /// Whether the process has ended (its status is then final).
    public var hasEnded: Bool { state.withLock { $0.ended } }

    /// Blocks the calling thread until the process has ended.
    public func wait() {
        semaphore.wait()
        semaphore.signal()
    }

    /// Blocks until the process has ended or `timeout` has passed; true when it ended.
    public func wait(timeout: Duration) -> Bool {
        let nanoseconds = Int(timeout.components.seconds) * 1_000_000_000 + Int(timeout.components.attoseconds / 1_000_000_000)
        guard semaphore.wait(timeout: .now() + .nanoseconds(nanoseconds)) == .success else { return false }
        semaphore.signal()
        return true
    }

    /// Suspends until the process has ended, holding no thread.
    public func exited() async {
        await withCheckedContinuation { continuation in
            let ended = state.withLock { state -> Bool in
                if !state.ended { state.waiters.append(continuation) }
                return state.ended
            }
            if ended { continuation.resume() }
        }
    }

    private func end() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.ended = true
            defer { state.waiters = [] }
            return state.waiters
        }
        semaphore.signal()
        for waiter in waiters { waiter.resume() }
    }
}
