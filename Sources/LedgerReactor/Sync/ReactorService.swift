import Foundation
import LedgerCore
import LedgerStore
import Logging
import ServiceLifecycle

/// Runs the sync engine until shutdown: a pass, then a short sleep when nothing was due. A failed pass (the log busy,
/// a projection error) is logged and retried after a pause; it never ends the process, because a reactor that
/// exits leaves leads waiting until a human notices.
public struct ReactorService: Service {
    let engine: SyncEngine
    /// The path prefix of this host's status files; the heartbeat is written there.
    let localState: String
    let idleInterval: Duration
    let logger: Logger

    public init(engine: SyncEngine, localState: String, idleInterval: Duration = .milliseconds(500), logger: Logger) {
        self.engine = engine
        self.localState = localState
        self.idleInterval = idleInterval
        self.logger = logger
    }

    /// Tells health the reactor is alive and what its breaker says. Failing to write it must not stop syncing.
    private func heartbeat() async {
        let circuit = await engine.breakerState
        ReactorMetrics.circuit(circuit)
        ReactorMetrics.pass()
        let beat = ReactorHeartbeat(pid: getpid(), updatedAt: SystemClock().now(), circuit: circuit, syncEnabled: true)
        do {
            try beat.write(forLog: localState)
        } catch {
            logger.warning("cannot write the reactor heartbeat: \(error)")
        }
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
                await heartbeat()
                if handled == 0 { try? await Task.sleep(for: idleInterval) }
            } catch {
                logger.error("sync pass failed: \(error)")
                try? await Task.sleep(for: .seconds(2))
                // A pass that failed between an attempt and its outcome (the log full, say) left that attempt in
                // flight; nothing of this process is sending now, so settle it as an unknown outcome.
                _ = try? await engine.recoverOrphanedAttempts()
            }
        }
    }
}
