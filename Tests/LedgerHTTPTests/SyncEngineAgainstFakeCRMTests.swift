import Foundation
import LedgerAmoCRM
import LedgerCore
import LedgerProjections
import LedgerReactor
import LedgerStore
import LedgerTesting
import Logging
import Testing

/// The sync engine in-process against the fake AmoCRM, with a schedule in milliseconds so that retries happen within
/// a test: unknown outcomes are reconciled by AmoCRM's created_at lists before resending, under every behaviour of
/// its search; a crash's orphaned attempts are reconciled; a refused lead is dead-lettered with an alert.
@Suite(.serialized)
struct SyncEngineAgainstFakeCRMTests {
    static let fastSchedule = RetrySchedule(
        table: [.milliseconds(200)], repeating: .milliseconds(200), minimumSpan: .seconds(5), jitter: 0,
        maxRetryAfter: .seconds(1))

    private func engine(_ log: EventLog, _ crm: FakeAmoCRMProcess, reconcileChecks: Int = 6) throws
        -> (SyncEngine, AmoCRMClient)
    {
        guard let url = URL(string: crm.baseURL) else { throw HarnessError(message: "bad url") }
        let client = AmoCRMClient(
            configuration: AmoCRMClientConfiguration(baseURL: url, requestTimeout: .seconds(3)),
            accessToken: { Secret(FakeAmoCRMProcess.token) }, logger: Logger(label: "test"))
        var configuration = SyncEngine.Configuration(schedule: Self.fastSchedule)
        configuration.reconcileChecks = reconcileChecks
        return (
            SyncEngine(
                log: log, runner: try ProjectionRunner(log: log), client: client, configuration: configuration,
                logger: Logger(label: "test")), client
        )
    }

    private func receive(_ log: EventLog, name: String = "Анна", phone: String = "+79165550001") throws -> LeadID {
        let now = SystemClock().now()
        return try log.receive(
            NewLead(leadID: LeadID.make(at: now), receivedAt: now, personal: PersonalData(name: name, phone: phone))
        ).leadID
    }

    /// The retry queue entry after folding everything the engine wrote (a pass folds only at its start).
    private func entry(_ log: EventLog, _ lead: LeadID) async throws -> RetryQueueEntry? {
        let runner = try ProjectionRunner(log: log)
        try await runner.catchUp()
        return try RetryQueue(store: runner.store).entry(lead)
    }

    private func types(_ log: EventLog, _ lead: LeadID) throws -> [String] {
        try log.events(EventQuery(stream: lead.description, limit: 100)).map(\.type)
    }

    /// A lead whose create reply was lost on its first pass: its outcome is unknown, so its next attempt searches
    /// before it may create. The fake stays in `lost-reply` mode.
    private func leadWithALostReply(_ log: EventLog, _ crm: FakeAmoCRMProcess, _ engine: SyncEngine) async throws
        -> LeadID
    {
        let lead = try receive(log)
        try await crm.control("mode", ["mode": "lost-reply"])
        #expect(try await engine.runOnce() == 1)
        return lead
    }

    private func createCalls(_ crm: FakeAmoCRMProcess) async throws -> Int {
        try await calls(crm, prefix: "/api/v4/leads/complex")
    }

    private func calls(_ crm: FakeAmoCRMProcess, prefix: String) async throws -> Int {
        let requests = try await crm.state()["requests"] as? [[String: Any]] ?? []
        return requests.filter { ($0["path"] as? String)?.hasPrefix(prefix) == true }.count
    }

    static let listPrefix = "/api/v4/leads?filter"
    static let searchPrefix = "/api/v4/leads?query="

    /// One lost reply puts a whole batch in doubt; until a create succeeds again, the next passes take at most
    /// `cautiousBatchSize` (10) leads, so a second lost reply could cost at most that many searches.
    @Test func afterALostReplyTheNextCreatesAreSmallUntilOneSucceeds() async throws {
        let crm = try FakeAmoCRMProcess()
        let fixture = try TemporaryLog()
        let (engine, client) = try engine(fixture.log, crm)
        for index in 0..<30 { _ = try receive(fixture.log, phone: "+7916555\(1000 + index)") }
        try await crm.control("mode", ["mode": "lost-reply"])
        #expect(try await engine.runOnce() == 30, "one create for all 30, and its reply is lost")
        #expect(await engine.cautious)
        try await crm.control("mode", ["mode": "ok"])
        for index in 0..<30 { _ = try receive(fixture.log, phone: "+7916555\(2000 + index)") }
        var created = try await crm.state()["created_total"] as? Int ?? 0
        #expect(created == 30, "the lost reply's leads were created")
        var handledPerPass: [Int] = []
        var createdPerPass: [Int] = []
        for _ in 0..<60 {
            try await Task.sleep(for: .milliseconds(250))
            let handled = try await engine.runOnce()
            let now = try await crm.state()["created_total"] as? Int ?? 0
            if handled > 0 { handledPerPass.append(handled) }
            if now > created { createdPerPass.append(now - created) }
            created = now
            let cautious = await engine.cautious
            if created == 60 && !cautious { break }
        }
        await client.shutdown()
        #expect(created == 60, "each lead once: the lost reply's 30 were found, not created again")
        #expect(createdPerPass.first.map { $0 <= 10 } == true, "the first create after the lost reply: \(createdPerPass)")
        #expect(handledPerPass.first.map { $0 <= 10 } == true, "a small pass while in doubt: \(handledPerPass)")
        #expect(createdPerPass.contains { $0 > 10 }, "full batches again once a create succeeded: \(createdPerPass)")
    }

    /// The search finds nothing here, ever: the created_at list alone finds the lead.
    @Test func aLostReplyIsFoundByTheCreatedAtListAndRecordedAsDeliveredWithoutASecondCopy() async throws {
        let crm = try FakeAmoCRMProcess(search: "missing")
        let fixture = try TemporaryLog()
        let (engine, client) = try engine(fixture.log, crm)
        let lead = try await leadWithALostReply(fixture.log, crm, engine)
        #expect(try await entry(fixture.log, lead)?.lastErrorClass == .unknownOutcome)

        try await crm.control("mode", ["mode": "ok"])
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await engine.runOnce() == 1)
        await client.shutdown()
        let state = try await crm.state()
        let created = try #require((state["leads"] as? [[String: Any]])?.first)
        #expect(state["created_total"] as? Int == 1)
        #expect(try await createCalls(crm) == 1, "the lead was found, not sent again")
        #expect(try await calls(crm, prefix: Self.listPrefix) == 1, "one list call")
        #expect(try await calls(crm, prefix: Self.searchPrefix) == 0, "a complete list needs no search")
        let success = try #require(try fixture.log.events(EventQuery(stream: lead.description, type: .syncSucceeded)).first)
        guard case .syncSucceeded(let event) = try success.decode() else { throw HarnessError(message: "not a success") }
        #expect(event.crmLeadID == created["id"] as? Int64)
        #expect(
            try types(fixture.log, lead) == ["LeadReceived", "SyncAttempted", "SyncFailed", "SyncAttempted", "SyncSucceeded"])
    }

    /// Lost replies (the leads were created) and resets (they were not) under each behaviour of AmoCRM's search:
    /// every lead ends in the CRM exactly once, in one or two list calls per batch, whatever the search does.
    @Test(arguments: ["exact", "fuzzy", "lagging", "ignored", "missing"])
    func underEverySearchBehaviourEachLeadEndsInAmoCRMOnce(search: String) async throws {
        let crm = try FakeAmoCRMProcess(search: search)
        let fixture = try TemporaryLog()
        let (engine, client) = try engine(fixture.log, crm)
        var leads: [LeadID] = []
        for index in 0..<8 { leads.append(try receive(fixture.log, phone: "+7916555\(4000 + index)")) }
        try await crm.control("mode", ["mode": "lost-reply"])
        #expect(try await engine.runOnce() == 8, "created, and the reply lost")
        for index in 0..<4 { leads.append(try receive(fixture.log, phone: "+7916555\(4100 + index)")) }
        try await crm.control("mode", ["mode": "reset"])
        _ = try await engine.runOnce()  // not created, but the client cannot know: unknown too
        try await crm.control("mode", ["mode": "ok"])
        // A bound on liveness, not on speed: the whole suite shares two cores with the fakes, and a pass can be slow.
        for _ in 0..<120 {
            try await Task.sleep(for: .milliseconds(250))
            _ = try await engine.runOnce()
            var states: [LeadSyncState?] = []
            for lead in leads { states.append(try await entry(fixture.log, lead)?.state) }
            if states.allSatisfy({ $0 == .synced }) { break }
        }
        await client.shutdown()
        for lead in leads { #expect(try await entry(fixture.log, lead)?.state == .synced) }
        let state = try await crm.state()
        #expect(state["created_total"] as? Int == leads.count)
        #expect((state["duplicates"] as? [String: Any])?.isEmpty == true)
        let lists = try await calls(crm, prefix: Self.listPrefix)
        #expect(lists >= 1 && lists <= 4, "a list or two per reconciled batch, not a search per lead: \(lists)")
    }

    /// A filter the account refuses and a search that finds nothing: nobody can tell whether the lead is there. It
    /// is never resent; after the bound of checks it waits for a human, with one alert naming it.
    @Test func whenNoListCanDecideTheLeadIsNeverResentAndWaitsForAHumanWithOneAlert() async throws {
        let crm = try FakeAmoCRMProcess(search: "missing")
        let fixture = try TemporaryLog()
        let (engine, client) = try engine(fixture.log, crm, reconcileChecks: 3)
        let lead = try await leadWithALostReply(fixture.log, crm, engine)
        try await crm.control("mode", ["mode": "ok"])
        try await crm.control("behaviour", ["list_filter": "refused"])
        for _ in 0..<30 where try await entry(fixture.log, lead)?.state != .dead {
            try await Task.sleep(for: .milliseconds(250))
            _ = try await engine.runOnce()
        }
        await client.shutdown()
        let settled = try await #require(try entry(fixture.log, lead))
        #expect(settled.state == .dead)
        #expect(settled.lastErrorClass == .unknownOutcome)
        #expect(try await createCalls(crm) == 1, "the one create whose reply was lost; never a second")
        let alerts = try fixture.log.events(EventQuery(type: .alertRaised, limit: 10))
        #expect(alerts.count == 1)
        #expect(alerts.first?.data.contains("reconcile_uncertain") == true)
        #expect(alerts.first?.data.contains(lead.description) == true, "the alert names the lead")
        #expect(
            try types(fixture.log, lead).filter { $0 == "SyncFailed" }.count == 4,
            "the lost reply, then two checks that could not decide, and the third that gives up")
    }

    /// An account that ignores the created_at filter lists leads from anywhere: a match is still a match, but no
    /// lead is proven absent, so one that was never created is not sent again either: it stays unknown.
    @Test func aListThatIgnoresItsFilterFindsWhatIsThereAndProvesNothingAbsent() async throws {
        let crm = try FakeAmoCRMProcess(search: "missing")
        let fixture = try TemporaryLog()
        let (engine, client) = try engine(fixture.log, crm)
        for index in 0..<3 {
            try await crm.control("seed-lead", ["name": "older lead \(index)", "created_at": 1_600_000_000 + index])
        }
        let created = try await leadWithALostReply(fixture.log, crm, engine)
        let notCreated = try receive(fixture.log, name: "Борис", phone: "+79165554200")
        try await crm.control("mode", ["mode": "reset"])
        _ = try await engine.runOnce()
        try await crm.control("mode", ["mode": "ok"])
        try await crm.control("behaviour", ["list_filter": "ignored"])
        for _ in 0..<20 where try await entry(fixture.log, created)?.state != .synced {
            try await Task.sleep(for: .milliseconds(250))
            _ = try await engine.runOnce()
        }
        await client.shutdown()
        #expect(try await entry(fixture.log, created)?.state == .synced)
        let doubtful = try await #require(try entry(fixture.log, notCreated))
        #expect(doubtful.state == .pending)
        #expect(doubtful.lastErrorClass == .unknownOutcome)
        #expect(doubtful.lastError?.contains("ignores") == true, "\(doubtful.lastError ?? "-")")
        #expect(try await crm.state()["created_total"] as? Int == 4, "three seeded and the one created; nothing resent")
    }

    @Test func anAttemptOrphanedByACrashIsReconciledNotResent() async throws {
        let crm = try FakeAmoCRMProcess()
        let fixture = try TemporaryLog()
        let (engine, client) = try engine(fixture.log, crm)
        let lead = try receive(fixture.log)
        // The previous reactor wrote its attempt, AmoCRM created the lead, and the reactor died before the reply.
        try fixture.log.append(
            .syncAttempted(SyncAttempted(leadID: lead, attempt: 1, attemptID: "crashed", target: .amocrm)))
        let seeded = try await crm.control(
            "seed-lead", ["name": "Заявка с сайта · \(lead)", "request_id": lead.description])
        #expect(try await engine.recoverOrphanedAttempts() == 1)
        #expect(await engine.cautious, "a stop mid-call is an unknown outcome too: small batches until a create succeeds")
        #expect(try await engine.runOnce() == 1)
        await client.shutdown()
        let settled = try await #require(try entry(fixture.log, lead))
        #expect(settled.state == .synced)
        #expect(settled.crmLeadID == seeded["id"] as? Int64)
        #expect(try await createCalls(crm) == 0)
    }

    /// Regression (long kill storm): the whole batch's attempts were recorded before its reconciliation, so a reactor
    /// stopped while reconciling turned every fresh lead of the batch into an unknown outcome.
    @Test func whileALeadIsSearchedForTheFreshLeadsOfItsBatchHaveNoAttemptYet() async throws {
        let crm = try FakeAmoCRMProcess()
        let fixture = try TemporaryLog()
        let (engine, client) = try engine(fixture.log, crm)
        let unknown = try await leadWithALostReply(fixture.log, crm, engine)
        let fresh = [try receive(fixture.log, name: "Борис"), try receive(fixture.log, name: "Вера")]
        try await Task.sleep(for: .milliseconds(300))  // the unknown lead is due again
        try await crm.control("mode", ["mode": "hang"])
        let pass = Task { try await engine.runOnce() }
        var searching = false
        for _ in 0..<100 where !searching {
            try await Task.sleep(for: .milliseconds(50))
            let requests = try await crm.state()["requests"] as? [[String: Any]] ?? []
            searching = requests.contains { ($0["path"] as? String)?.hasPrefix(Self.listPrefix) == true }
        }
        #expect(searching, "the list reached the fake and hangs there")
        #expect(try types(fixture.log, unknown) == ["LeadReceived", "SyncAttempted", "SyncFailed", "SyncAttempted"])
        for lead in fresh {
            #expect(try types(fixture.log, lead) == ["LeadReceived"], "no attempt before the call that could create it")
        }
        try await crm.control("mode", ["mode": "ok"])  // the hanging search ends without an answer
        #expect(try await pass.value == 3)
        for _ in 0..<40 where try await entry(fixture.log, unknown)?.state != .synced {
            try await Task.sleep(for: .milliseconds(100))
            _ = try await engine.runOnce()
        }
        await client.shutdown()
        for lead in [unknown] + fresh { #expect(try await entry(fixture.log, lead)?.state == .synced) }
        let state = try await crm.state()
        #expect(state["created_total"] as? Int == 3)
        #expect((state["duplicates"] as? [String: Any])?.isEmpty == true)
    }

    @Test func aLeadAmoCRMRefusesIsDeadLetteredOnceWithAnAlertAndTheRestOfItsBatchIsResentAlone() async throws {
        let crm = try FakeAmoCRMProcess()
        let fixture = try TemporaryLog()
        let (engine, client) = try engine(fixture.log, crm)
        let bad = try receive(fixture.log, name: "REJECT-ME")
        let good = try receive(fixture.log, name: "Борис")
        _ = try await engine.runOnce()  // the batch is refused as a whole, naming the bad lead
        _ = try await engine.runOnce()  // the innocent lead goes alone
        await client.shutdown()
        let history = try fixture.log.events(EventQuery(limit: 50)).map { "\($0.type) \($0.data.prefix(400))" }
        #expect(try await entry(fixture.log, bad)?.state == .dead, "\(history)")
        #expect(try await entry(fixture.log, good)?.state == .synced)
        let alerts = try fixture.log.events(EventQuery(type: .alertRaised, limit: 10))
        #expect(alerts.count == 1)
        #expect(alerts.first?.data.contains("\"lead_dead\"") == true)
        #expect(try await crm.state()["created_total"] as? Int == 1)
    }
}

/// The circuit breaker against a failing fake AmoCRM: it stops sending leads, probes with a cheap read, and resumes.
@Suite(.serialized)
struct SyncEngineBreakerTests {
    @Test func repeatedServerErrorsOpenTheBreakerProbesReplaceSendsAndRecoveryDeliversEverything() async throws {
        let crm = try FakeAmoCRMProcess()
        let fixture = try TemporaryLog()
        guard let url = URL(string: crm.baseURL) else { throw HarnessError(message: "bad url") }
        let client = AmoCRMClient(
            configuration: AmoCRMClientConfiguration(baseURL: url, requestTimeout: .seconds(3)),
            accessToken: { Secret(FakeAmoCRMProcess.token) }, logger: Logger(label: "test"))
        let configuration = SyncEngine.Configuration(
            batchSize: 1, schedule: SyncEngineAgainstFakeCRMTests.fastSchedule,
            breaker: .init(failureThreshold: 3, firstProbeInterval: .milliseconds(300), maxProbeInterval: .seconds(1)))
        let engine = SyncEngine(
            log: fixture.log, runner: try ProjectionRunner(log: fixture.log), client: client, configuration: configuration,
            logger: Logger(label: "test"))
        var leads: [LeadID] = []
        for number in 0..<3 {
            let now = SystemClock().now()
            leads.append(
                try fixture.log.receive(
                    NewLead(
                        leadID: LeadID.make(at: now), receivedAt: now, personal: PersonalData(phone: "+7916555300\(number)"))
                ).leadID)
        }
        try await crm.control("mode", ["mode": "500"])
        for _ in 0..<3 { _ = try await engine.runOnce() }
        #expect(await engine.breakerState == "open")
        func leadCalls() async throws -> Int {
            let requests = try await crm.state()["requests"] as? [[String: Any]] ?? []
            return requests.filter { ($0["path"] as? String)?.hasPrefix("/api/v4/leads") == true }.count
        }
        let leadCallsWhenOpened = try await leadCalls()
        for _ in 0..<5 { _ = try await engine.runOnce() }  // open: at most probes go out, never a lead
        #expect(try await leadCalls() == leadCallsWhenOpened)
        #expect(await engine.breakerState != "closed")

        try await crm.control("mode", ["mode": "ok"])
        for _ in 0..<60 {
            try await Task.sleep(for: .milliseconds(100))
            _ = try await engine.runOnce()
            if try await crm.state()["created_total"] as? Int == leads.count { break }
        }
        await client.shutdown()
        let state = try await crm.state()
        let requests = state["requests"] as? [[String: Any]] ?? []
        #expect(requests.contains { ($0["path"] as? String) == "/api/v4/account" }, "the breaker probed with a cheap read")
        #expect(state["created_total"] as? Int == leads.count)
        #expect((state["duplicates"] as? [String: Any])?.isEmpty == true)
        #expect(await engine.breakerState == "closed")
    }
}
