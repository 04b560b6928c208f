import Logging
import ServiceLifecycle

/// Runs the sync engine until shutdown: a pass, then a short sleep when nothing was due. A failed pass (the log busy,
/// a projection error) is logged and retried after a pause; it never ends the process, because a reactor that
/// exits leaves leads waiting until a human notices.
public struct ReactorService: Service {
    let engine: SyncEngine
    let idleInterval: Duration
    let logger: Logger

    public init(engine: SyncEngine, idleInterval: Duration = .milliseconds(500), logger: Logger) {
        self.engine = engine
        self.idleInterval = idleInterval
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let handled = try await engine.runOnce()
                if handled == 0 { try? await Task.sleep(for: idleInterval) }
            } catch {
                logger.error("sync pass failed: \(error)")
                try? await Task.sleep(for: .seconds(2))
            }
        }
    }
}
