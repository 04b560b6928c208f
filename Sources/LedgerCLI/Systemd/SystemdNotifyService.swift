import LedgerStore
import Logging
import ServiceLifecycle

/// Tells systemd how the process is doing, for a `Type=notify` unit: `READY=1` once it works (the first status on
/// `readiness`: `serve` once it listens, `react` once its start is recorded), then `WATCHDOG=1` while it really works,
/// `STOPPING=1` when a graceful stop begins.
///
/// The watchdog restarts a wedged process instead of leaving it up and deaf, the old backend's worst failure (a hung
/// CRM call froze it for good). Each beat is earned: the log must answer a read first (the same check as
/// `GET /api/health`). A starved task pool, a log that no longer answers, or a process stuck anywhere stops the
/// beats, and systemd restarts it after `WatchdogSec`. Beats go out at half that interval, as sd_watchdog_enabled(3)
/// advises.
struct SystemdNotifyService: Service {
    let notifier: SystemdNotifier
    let log: any EventStore
    let readiness: AsyncStream<String>
    let logger: Logger

    /// Nil when the process does not run under a `Type=notify` unit. `readiness` yields a status line (systemctl shows
    /// it) once the process works; nothing is said before.
    init?(notifier: SystemdNotifier?, log: any EventStore, readiness: AsyncStream<String>, logger: Logger) {
        guard let notifier else { return nil }
        self.notifier = notifier
        self.log = log
        self.readiness = readiness
        self.logger = logger
    }

    func run() async {
        let status = await cancelWhenGracefulShutdown { await readiness.first { _ in true } }
        guard let status else { return }
        notifier.notify("READY=1\nSTATUS=\(status)")
        if let interval = notifier.watchdogInterval {
            await cancelWhenGracefulShutdown { await beat(every: interval) }
        } else {
            try? await gracefulShutdown()
        }
        notifier.notify("STOPPING=1")
    }

    private func beat(every interval: Duration) async {
        var silent = false
        while !Task.isCancelled {
            do {
                _ = try await log.head()
                notifier.notify("WATCHDOG=1")
                silent = false
            } catch {
                if !silent { logger.error("watchdog: the log does not answer (\(error)); no beat until it does") }
                silent = true
            }
            try? await Task.sleep(for: interval)
        }
    }
}
