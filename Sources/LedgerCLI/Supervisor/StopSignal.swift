import Dispatch
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// SIGTERM and SIGINT for `run`, received through dispatch and read by polling.
///
/// The signals are ignored at the process level so that dispatch sees them instead of the default handler ending the
/// process; children are spawned with them reset to the default (see `ChildProcess`).
final class StopSignal: Sendable {
    private let received = Atomic<Int32>(0)

    /// The signal that asked `run` to stop, or nil.
    var signal: Int32? {
        let value = received.load(ordering: .acquiring)
        return value == 0 ? nil : value
    }

    /// Starts listening; keep the returned sources alive for as long as signals should be received.
    func listen() -> [any DispatchSourceSignal] {
        [SIGTERM, SIGINT].map { number in
            Glibc.signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [self] in received.store(number, ordering: .releasing) }
            source.resume()
            return source
        }
    }
}
