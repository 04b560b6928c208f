import Foundation
import Testing

/// `serve` and `react` under a `Type=notify` unit with `WatchdogSec`: they say READY=1 once they work, WATCHDOG=1 at
/// half the interval while they do, and STOPPING=1 when SIGTERM begins a graceful stop.
struct SystemdNotifyTests {
    /// systemd sets WATCHDOG_USEC to WatchdogSec; 400 ms here, so beats come every 200 ms.
    static let watchdogMicroseconds = "400000"

    private func watched(_ socket: NotifySocket) -> [String: String] {
        ["NOTIFY_SOCKET": socket.path, "WATCHDOG_USEC": Self.watchdogMicroseconds]
    }

    private func beats(_ messages: [String]) -> Int { messages.filter { $0 == "WATCHDOG=1" }.count }

    @Test func serveSaysReadyOnceListeningBeatsTheWatchdogAndSaysStoppingOnSIGTERM() throws {
        let systemd = try NotifySocket()
        let server = try ServeProcess(settings: watched(systemd))
        try server.start()
        let running = systemd.messages(within: 10) { self.beats($0) >= 3 }
        let ready = try #require(running.first, "no message at all")
        #expect(ready.hasPrefix("READY=1"), "READY comes first: \(running)")
        #expect(ready.contains("STATUS=listening on 127.0.0.1:\(server.port)"), "\(ready)")
        #expect(beats(running) >= 3, "\(running)")
        #expect(server.stop(SIGTERM) == 0)
        #expect(systemd.messages(within: 2) { $0.contains("STOPPING=1") }.contains("STOPPING=1"))
    }

    @Test func reactSaysReadyBeatsTheWatchdogAndSaysStoppingOnSIGTERM() throws {
        let server = try ServeProcess()
        try server.start()
        let systemd = try NotifySocket()
        let reactor = try ReactProcess(log: server, settings: watched(systemd))
        let running = systemd.messages(within: 10) { self.beats($0) >= 3 }
        #expect(running.first?.hasPrefix("READY=1\nSTATUS=") == true, "\(running)")
        #expect(beats(running) >= 3, "\(running)")
        let stopped = reactor.stop()
        server.stop()
        #expect(stopped.status == 0, "\(stopped.stderr)")
        #expect(systemd.messages(within: 2) { $0.contains("STOPPING=1") }.contains("STOPPING=1"))
    }

    /// WATCHDOG_PID names the process the watchdog is for: a process that merely inherited the variables (a child of
    /// the unit's main process) must not beat for it.
    @Test func aWatchdogMeantForAnotherProcessGetsNoBeats() throws {
        let systemd = try NotifySocket()
        var settings = watched(systemd)
        settings["WATCHDOG_PID"] = "1"
        let server = try ServeProcess(settings: settings)
        try server.start()
        let running = systemd.messages(within: 1.5)
        #expect(running.first?.hasPrefix("READY=1") == true, "\(running)")
        #expect(beats(running) == 0, "\(running)")
        #expect(server.stop(SIGTERM) == 0)
    }
}
