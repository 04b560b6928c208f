import Foundation
import Testing

/// `GET /metrics` as Prometheus scrapes it from the real `serve`.
@Suite(.serialized)
struct ServeMetricsTests {
    /// Sample lines (`name{labels} value`) of an exposition, keyed by everything before the value.
    private func samples(_ text: String) -> [String: Double] {
        var samples: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            samples[String(line[..<space])] = value
        }
        return samples
    }

    @Test func metricsCountLeadsByOutcomeRequestsByRouteAndStatusAndSampleTheQueue() async throws {
        let server = try ServeProcess(settings: ["LEADLEDGER_HONEYPOT_FIELD": "website"])
        try server.start()
        #expect(try await server.post(#"{"phone":"+79161234567"}"#, idempotencyKey: "k1").status == 201)
        #expect(try await server.post(#"{"phone":"+79161234567"}"#, idempotencyKey: "k1").status == 200)
        #expect(try await server.post(#"{"phone":"+79161234568","website":"x"}"#).status == 201)
        #expect(try await server.post(#"{"name":"no contact"}"#).status == 422)
        for path in ["/wp-login.php", "/.env", "/api/leads/../../etc/passwd"] {
            #expect(try await server.get(path).status == 404)
        }
        var text = ""
        for _ in 0..<100 {  // the projector folds every 500 ms
            text = try await server.get("/metrics").body
            if samples(text)[#"leadledger_queue_leads{state="spam"}"#] == 1 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        server.stop()
        let values = samples(text)
        #expect(values[#"leadledger_leads_received_total{outcome="created"}"#] == 1)
        #expect(values[#"leadledger_leads_received_total{outcome="idempotent_replay"}"#] == 1)
        #expect(values[#"leadledger_leads_received_total{outcome="spam"}"#] == 1)
        #expect(values["leadledger_events_appended_total"] == 2)
        #expect(values[#"leadledger_http_requests_total{route="/api/leads",method="POST",status="422"}"#] == 1)
        #expect(values[#"leadledger_http_requests_total{route="/api/leads",method="POST",status="201"}"#] == 2)
        #expect(values[#"leadledger_http_requests_total{route="unmatched",method="GET",status="404"}"#] == 3)
        #expect(values["leadledger_ingest_duration_seconds_count"] == 4)
        #expect(values["leadledger_group_commit_batch_leads_count"] == 3)
        #expect(values[#"leadledger_queue_leads{state="pending"}"#] == 1)
        #expect(values[#"leadledger_queue_leads{state="spam"}"#] == 1)
        #expect(values[#"leadledger_queue_leads{state="dead"}"#] == 0)
        #expect(values["leadledger_conservation_ok"] == 1)
        #expect(values["leadledger_log_last_seq"] == 3, "serve's ProcessStarted, then 2 leads")
        #expect(values["leadledger_group_commit_queue_leads"] == 0)
        #expect((values["leadledger_process_resident_memory_bytes"] ?? 0) > 0)
        #expect(values.keys.contains { $0.hasPrefix("leadledger_oldest_pending_age_seconds") })
        // Raw paths never become label values.
        #expect(!text.contains("wp-login"))
    }
}
