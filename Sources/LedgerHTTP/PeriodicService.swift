import Logging
import ServiceLifecycle

/// The one shape of `serve`'s background chores: do the work, log a failure by the chore's name and carry on, wait
/// `interval`, until shutdown, which also cuts the wait short. A failing chore never stops the server.
struct PeriodicService: Service {
    let name: String
    let interval: Duration
    let logger: Logger
    let work: @Sendable () async throws -> Void

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await work()
            } catch {
                logger.error("\(name) failed: \(error)")
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
