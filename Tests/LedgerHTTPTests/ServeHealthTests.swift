import Foundation
import Testing

@Suite(.serialized)
struct ServeHealthTests {
    @Test func detailedHealthShowsTheQueueFromProjectionsAndSaysWhyItIsDegraded() async throws {
        let canary = "admin-canary-secret-0123456789"
        let server = try ServeProcess(settings: ["LEADLEDGER_ADMIN_TOKEN": canary])
        try server.start()
        for number in 0..<3 {
            let (status, _) = try await server.post(#"{"phone":"+7916000000\#(number)"}"#)
            #expect(status == 201)
        }
        var object: [String: Any] = [:]
        var body = ""
        for _ in 0..<200 {
            let (status, text) = try await server.get("/api/health/detailed")
            #expect(status == 200)
            body = text
            object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
            let queue = object["queue"] as? [String: Any]
            if queue?["pending"] as? Int == 3 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        let queue = try #require(object["queue"] as? [String: Any])
        #expect(queue["pending"] as? Int == 3)
        #expect(queue["dead"] as? Int == 0)
        #expect((object["log"] as? [String: Any])?["last_seq"] as? Int == 4, "serve's ProcessStarted, then 3 leads")
        #expect(object["status"] as? String == "degraded")
        let reasons = try #require(object["reasons"] as? [String])
        #expect(reasons.contains("CRM sync disabled: LEADLEDGER_AMOCRM_BASE_URL not set"))
        #expect((object["conservation"] as? [String: Any])?["holds"] as? Bool == true)
        #expect((object["crm"] as? [String: Any])?["enabled"] as? Bool == false)
        #expect(!body.contains(canary))
        #expect(!body.contains("79160000000"))
        #expect(server.stop() == 0)
    }
}
