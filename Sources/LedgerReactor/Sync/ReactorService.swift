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
        // A stop mid-call (a crash, SIGKILL) leaves attempts without an outcome; settle them before sending anything.
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                _ = try await engine.recoverOrphanedAttempts()
                break
            } catch {
                logger.error("start-up reconciliation failed: \(error)")
                try? await Task.sleep(for: .seconds(2))
            }
        }
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
