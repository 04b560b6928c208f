import Foundation
import LedgerCore
import LedgerStore
import LedgerTesting
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `react`'s own `/metrics` (LEADLEDGER_REACT_METRICS_PORT): sync outcomes, AmoCRM latency by operation, the circuit
/// breaker, passes — scraped from the real binary after it delivered leads to the fake AmoCRM.
@Suite(.serialized)
struct ReactMetricsTests {
    private func scrape(_ port: Int) async throws -> [String: Double] {
        guard let url = URL(string: "http://127.0.0.1:\(port)/metrics") else { throw HarnessError(message: "bad url") }
        let (data, response) = try await URLSession.shared.data(from: url)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        var values: [String: Double] = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            if parts.count == 2, let value = Double(parts[1]) { values[String(parts[0])] = value }
        }
        return values
    }

    @Test func reactExportsSyncOutcomesCRMLatencyAndTheCircuitOnItsOwnPort() async throws {
        let crm = try FakeAmoCRMProcess()
        let server = try ServeProcess()
        try server.start()
        for number in 0..<2 { #expect(try await server.post(#"{"phone":"+7916555880\#(number)"}"#).status == 201) }
        let react = try ReactProcess(
            log: server,
            settings: [
                "LEADLEDGER_AMOCRM_BASE_URL": crm.baseURL, "LEADLEDGER_AMOCRM_TOKEN": FakeAmoCRMProcess.token,
                "LEADLEDGER_AMOCRM_BATCH_SIZE": "1", "LEADLEDGER_REACT_METRICS_PORT": "0",
            ])
        var port: Int?
        for _ in 0..<100 where port == nil {
            try await Task.sleep(for: .milliseconds(100))
            if let range = react.output.range(of: "metrics on http://127.0.0.1:") {
                port = Int(react.output[range.upperBound...].prefix { $0.isNumber })
            }
        }
        let metricsPort = try #require(port, "react printed where its metrics are")
        var values: [String: Double] = [:]
        for _ in 0..<100 {
            values = try await scrape(metricsPort)
            if values[#"leadledger_sync_outcomes_total{outcome="succeeded"}"#] == 2 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let stopped = react.stop()
        server.stop()
        #expect(stopped.status == 0, "\(stopped.stderr.suffix(2000))")
        #expect(values[#"leadledger_sync_outcomes_total{outcome="succeeded"}"#] == 2)
        #expect((values[#"leadledger_crm_request_duration_seconds_count{operation="create"}"#] ?? 0) >= 2)
        #expect(values["leadledger_crm_circuit_state"] == 0)
        #expect((values["leadledger_reactor_passes_total"] ?? 0) >= 1)
    }
}
