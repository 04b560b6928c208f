import Foundation
import LedgerCore
import LedgerStore
import Testing

/// Through the real binary: a SIGKILLed `serve` is reported as an unclean restart when it comes back, a SIGTERMed
/// one is not, and detailed health counts both kinds for today.
@Suite(.serialized)
struct ServeRestartTests {
    private func processHealth(_ server: ServeProcess) async throws -> [String: Any] {
        let (_, body) = try await server.get("/api/health/detailed")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        return json["process"] as? [String: Any] ?? [:]
    }

    private func starts(_ server: ServeProcess) throws -> [ProcessStarted] {
        try EventLog.open(path: server.dbPath).events(EventQuery(type: .processStarted, limit: 100)).compactMap {
            if case .processStarted(let start) = try $0.decode() { start } else { nil }
        }
    }

    @Test func aKilledServeIsAnUncleanRestartWithAnAlertAndAStoppedOneIsNot() async throws {
        let server = try ServeProcess()
        try server.start()
        #expect(try await processHealth(server)["restarts_today"] as? Int == 0)
        server.stop(SIGKILL)

        try server.start()
        let afterKill = try await processHealth(server)
        #expect(afterKill["restarts_today"] as? Int == 1)
        #expect(afterKill["unclean_restarts_today"] as? Int == 1)
        #expect(server.stop(SIGTERM) == 0)

        try server.start()
        let afterStop = try await processHealth(server)
        #expect(afterStop["restarts_today"] as? Int == 2)
        #expect(afterStop["unclean_restarts_today"] as? Int == 1, "a clean stop is not an unclean restart")
        #expect(server.stop(SIGTERM) == 0)

        let recorded = try starts(server)
        #expect(recorded.map(\.previousEnded) == [nil, .unclean, .clean])
        #expect(recorded.allSatisfy { $0.process == .serve })
        let log = try EventLog.open(path: server.dbPath)
        let alerts = try log.events(EventQuery(type: .alertRaised, limit: 100)).compactMap {
            if case .alertRaised(let alert) = try $0.decode() { alert } else { nil }
        }
        #expect(alerts.map(\.kind) == ["unclean_restart"])
        #expect(try log.events(EventQuery(type: .processStopped, limit: 100)).count == 2)
        #expect(try log.verify().isIntact)
    }
}
