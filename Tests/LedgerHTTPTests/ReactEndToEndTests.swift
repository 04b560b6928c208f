import Foundation
import LedgerCore
import LedgerStore
import LedgerTesting
import Testing

/// `serve` takes leads, `react` delivers them to the fake AmoCRM: the whole path through real processes.
@Suite(.serialized)
struct ReactEndToEndTests {
    private func crmHealth(_ server: ServeProcess) async throws -> (crm: [String: Any], reasons: [String]) {
        let (_, body) = try await server.get("/api/health/detailed")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        return (json["crm"] as? [String: Any] ?? [:], json["reasons"] as? [String] ?? [])
    }

    @Test func leadsTakenByServeReachTheCRMExactlyOnceAndEverySuccessIsRecorded() async throws {
        let crm = try FakeAmoCRMProcess()
        let server = try ServeProcess(settings: [
            "LEADLEDGER_AMOCRM_BASE_URL": crm.baseURL, "LEADLEDGER_AMOCRM_TOKEN": FakeAmoCRMProcess.token,
        ])
        try server.start()
        #expect(try await crmHealth(server).reasons.contains("reactor has never run on this log"))
        var leadIDs: Set<String> = []
        for number in 0..<5 {
            let answer = try await server.post(
                #"{"name":"Анна \#(number)","phone":"+7916555000\#(number)","comment":"Перезвоните после 18:00"}"#)
            #expect(answer.status == 201)
            if let id = answer.json["lead_id"] as? String { leadIDs.insert(id) }
        }
        let react = try ReactProcess(
            log: server,
            settings: ["LEADLEDGER_AMOCRM_BASE_URL": crm.baseURL, "LEADLEDGER_AMOCRM_TOKEN": FakeAmoCRMProcess.token])
        var created: [[String: Any]] = []
        for _ in 0..<200 {  // at most 20 s
            created = try await crm.state()["leads"] as? [[String: Any]] ?? []
            if created.count >= leadIDs.count { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        try await Task.sleep(for: .milliseconds(500))  // a duplicate, if any, would arrive now
        let state = try await crm.state()
        let health = try await crmHealth(server)
        #expect(health.crm["circuit_state"] as? String == "closed")
        #expect(!health.reasons.contains { $0.hasPrefix("reactor") }, "\(health.reasons)")
        let stopped = react.stop()
        server.stop()
        #expect(stopped.status == 0, "\(stopped.stderr)")
        #expect(Set(created.compactMap { $0["request_id"] as? String }) == leadIDs)
        #expect((state["leads"] as? [Any])?.count == leadIDs.count)
        #expect((state["duplicates"] as? [String: Any])?.isEmpty == true)
        for lead in created {
            let name = lead["name"] as? String ?? ""
            #expect(leadIDs.contains { name.contains($0) }, "the ledger id must be searchable in the CRM: \(name)")
        }
        let notes = state["notes"] as? [[String: Any]] ?? []
        #expect(notes.count == leadIDs.count, "the comment reaches the CRM as a note on each lead")
        #expect(notes.allSatisfy { ($0["text"] as? String)?.contains("Перезвоните после 18:00") == true })
        let log = try EventLog.open(path: server.dbPath)
        let successes = try log.events(EventQuery(type: .syncSucceeded, limit: 100))
        #expect(Set(successes.map(\.stream)) == leadIDs)
        #expect(try log.verify().isIntact)
    }

    @Test func aBacklogIsDrainedWithoutEverExceedingTheConfiguredRequestRate() async throws {
        let crm = try FakeAmoCRMProcess()
        let server = try ServeProcess()
        try server.start()
        let leads = 24
        for number in 0..<leads {
            #expect(try await server.post(#"{"phone":"+79165551\#(String(format: "%03d", number))"}"#).status == 201)
        }
        let react = try ReactProcess(
            log: server,
            settings: [
                "LEADLEDGER_AMOCRM_BASE_URL": crm.baseURL, "LEADLEDGER_AMOCRM_TOKEN": FakeAmoCRMProcess.token,
                "LEADLEDGER_AMOCRM_BATCH_SIZE": "1", "LEADLEDGER_AMOCRM_RATE_PER_S": "4",
            ])
        var state: [String: Any] = [:]
        for _ in 0..<300 {  // at most 30 s; 24 calls at 4/s take about 6
            state = try await crm.state()
            if (state["created_total"] as? Int ?? 0) >= leads { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let stopped = react.stop()
        server.stop()
        #expect(stopped.status == 0, "\(stopped.stderr)")
        #expect(state["created_total"] as? Int == leads)
        #expect((state["duplicates"] as? [String: Any])?.isEmpty == true)
        let busiest = try #require(state["max_requests_in_any_1s_window"] as? Int)
        #expect(busiest <= 4, "at most 4 AmoCRM calls in any second, saw \(busiest)")
    }

    @Test func reactKilledMidBatchLosesNothingAndDuplicatesNothingAfterRestart() async throws {
        let crm = try FakeAmoCRMProcess()
        let server = try ServeProcess()
        try server.start()
        var leadIDs: Set<String> = []
        for number in 0..<5 {
            let answer = try await server.post(#"{"phone":"+79165554\#(String(format: "%03d", number))"}"#)
            if let id = answer.json["lead_id"] as? String { leadIDs.insert(id) }
        }
        // AmoCRM takes 1.5 s to answer; it will create the leads, but nobody will be there to hear it.
        try await crm.control("mode", ["mode": "slow", "delay_s": 1.5])
        let settings = ["LEADLEDGER_AMOCRM_BASE_URL": crm.baseURL, "LEADLEDGER_AMOCRM_TOKEN": FakeAmoCRMProcess.token]
        let first = try ReactProcess(log: server, settings: settings)
        var inFlight = false
        for _ in 0..<100 where !inFlight {
            let requests = try await crm.state()["requests"] as? [[String: Any]] ?? []
            inFlight = requests.contains { ($0["path"] as? String) == "/api/v4/leads/complex" }
            if !inFlight { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(inFlight, "the batch never reached the CRM")
        kill(first.process.processIdentifier, SIGKILL)
        #expect(first.stop().status == SIGKILL)
        try await Task.sleep(for: .milliseconds(2000))  // the CRM finishes creating them
        #expect(try await crm.state()["created_total"] as? Int == leadIDs.count)

        try await crm.control("mode", ["mode": "ok"])
        let second = try ReactProcess(log: server, settings: settings)
        var synced: Set<String> = []
        for _ in 0..<200 where synced != leadIDs {
            synced = Set(
                try EventLog.open(path: server.dbPath).events(EventQuery(type: .syncSucceeded, limit: 100)).map(\.stream))
            if synced != leadIDs { try await Task.sleep(for: .milliseconds(100)) }
        }
        let stopped = second.stop()
        server.stop()
        #expect(stopped.status == 0, "\(stopped.stderr)")
        #expect(synced == leadIDs, "every lead delivered")
        let state = try await crm.state()
        #expect(state["created_total"] as? Int == leadIDs.count, "no lead created twice")
        #expect((state["duplicates"] as? [String: Any])?.isEmpty == true)
        let log = try EventLog.open(path: server.dbPath)
        let recovered = try log.events(EventQuery(type: .syncFailed, limit: 100)).filter { $0.data.contains("unknown_outcome") }
        #expect(Set(recovered.map(\.stream)) == leadIDs, "each orphaned attempt was settled as an unknown outcome")
        #expect(try log.verify().isIntact)
    }

    @Test func aSecondReactorOnTheSameLogExitsAndSaysWhy() async throws {
        let server = try ServeProcess()
        try server.start()
        let first = try ReactProcess(log: server, settings: [:])
        try await Task.sleep(for: .milliseconds(800))
        let second = try ReactProcess(log: server, settings: [:])
        try await second.waitForExit()
        let refused = second.stop()
        #expect(refused.status == 3)
        #expect(refused.stderr.contains("another `leadledger react` is running"), "\(refused.stderr)")
        #expect(!first.exit.hasEnded)
        #expect(first.stop().status == 0)
        server.stop()
    }
}

/// OAuth: refresh tokens are single-use, so the new pair must survive a restart of `react`.
@Suite(.serialized)
struct ReactOAuthTests {
    static let oauth = [
        "LEADLEDGER_AMOCRM_CLIENT_ID": "fake-client", "LEADLEDGER_AMOCRM_CLIENT_SECRET": "fake-secret",
        "LEADLEDGER_AMOCRM_REFRESH_TOKEN": "refresh-0", "LEADLEDGER_AMOCRM_REDIRECT_URI": "https://example.ru/oauth",
    ]

    private func waitForCreated(_ crm: FakeAmoCRMProcess, _ count: Int) async throws -> Int {
        for _ in 0..<200 {
            let created = try await crm.state()["created_total"] as? Int ?? 0
            if created >= count { return created }
            try await Task.sleep(for: .milliseconds(100))
        }
        return try await crm.state()["created_total"] as? Int ?? 0
    }

    @Test func theRefreshedPairIsSavedOwnerOnlyAndUsedAfterARestartInsteadOfTheSpentToken() async throws {
        let crm = try FakeAmoCRMProcess()
        let server = try ServeProcess()
        try server.start()
        let settings = Self.oauth.merging(["LEADLEDGER_AMOCRM_BASE_URL": crm.baseURL]) { $1 }
        #expect(try await server.post(#"{"phone":"+79165552001"}"#).status == 201)
        let first = try ReactProcess(log: server, settings: settings)
        #expect(try await waitForCreated(crm, 1) == 1)
        #expect(first.stop().status == 0)

        let tokenFile = server.dbPath + ".amocrm-tokens.json"
        let saved = try String(contentsOfFile: tokenFile, encoding: .utf8)
        #expect(saved.contains("refresh-1"))
        let mode = try FileManager.default.attributesOfItem(atPath: tokenFile)[.posixPermissions] as? Int
        #expect(mode == 0o600)

        // The settings still say refresh-0, which AmoCRM has revoked: only the saved pair can work now.
        #expect(try await server.post(#"{"phone":"+79165552002"}"#).status == 201)
        let second = try ReactProcess(log: server, settings: settings)
        #expect(try await waitForCreated(crm, 2) == 2)
        let stopped = second.stop()
        server.stop()
        #expect(stopped.status == 0, "\(stopped.stderr)")
        #expect(!stopped.stderr.contains("refresh-"), "tokens never appear in logs")
        let requests = try await crm.state()["requests"] as? [[String: Any]] ?? []
        let refusedRefreshes = requests.filter {
            ($0["path"] as? String) == "/oauth2/access_token" && ($0["status"] as? Int) != 200
        }
        #expect(refusedRefreshes.isEmpty, "the spent refresh token was never tried again")
    }
}
