import Foundation
import LedgerAmoCRM
import LedgerCore
import LedgerProjections
import LedgerReactor
import LedgerStore
import LedgerTesting
import Logging
import Testing

/// A lead's comment, page and extra fields reach its CRM lead as one note, once: also when the lead was found by
/// reconciliation or matched by duplicate control, and when the note call itself fails or loses its reply.
@Suite(.serialized)
struct SyncEngineNotesTests {
    private func engine(_ log: EventLog, _ crm: FakeAmoCRMProcess, reconcileChecks: Int = 6) throws
        -> (SyncEngine, AmoCRMClient)
    {
        guard let url = URL(string: crm.baseURL) else { throw HarnessError(message: "bad url") }
        let client = AmoCRMClient(
            configuration: AmoCRMClientConfiguration(baseURL: url, requestTimeout: .seconds(3)),
            accessToken: { Secret(FakeAmoCRMProcess.token) }, logger: Logger(label: "test"))
        var configuration = SyncEngine.Configuration(schedule: SyncEngineAgainstFakeCRMTests.fastSchedule)
        configuration.reconcileChecks = reconcileChecks
        return (
            SyncEngine(
                log: log, runner: try ProjectionRunner(log: log), client: client, configuration: configuration,
                logger: Logger(label: "test")), client
        )
    }

    private func receive(_ log: EventLog, phone: String = "+79165550001", comment: String = "Перезвоните после 18:00")
        throws -> LeadID
    {
        let now = SystemClock().now()
        return try log.receive(
            NewLead(
                leadID: LeadID.make(at: now), receivedAt: now,
                personal: PersonalData(name: "Анна", phone: phone, comment: comment, pageURL: "https://site.ru/promo"))
        ).leadID
    }

    private func types(_ log: EventLog, _ lead: LeadID) throws -> [String] {
        try log.events(EventQuery(stream: lead.description, limit: 100)).map(\.type)
    }

    private func note(_ log: EventLog, _ lead: LeadID) async throws -> NoteQueueEntry? {
        let runner = try ProjectionRunner(log: log)
        try await runner.catchUp()
        return try NoteQueue(store: runner.store).entry(lead)
    }

    private func notes(_ crm: FakeAmoCRMProcess) async throws -> [[String: Any]] {
        try await crm.state()["notes"] as? [[String: Any]] ?? []
    }

    private func calls(_ crm: FakeAmoCRMProcess, _ method: String, _ prefix: String) async throws -> Int {
        let requests = try await crm.state()["requests"] as? [[String: Any]] ?? []
        return requests.filter { $0["method"] as? String == method && ($0["path"] as? String)?.hasPrefix(prefix) == true }
            .count
    }

    /// A lead delivered while the fake failed its note with `fault` (`lost-reply` or `500`); the fault is cleared
    /// again and the note waits for its retry, due after the fast schedule's 200 ms.
    private struct FailedNote {
        let crm: FakeAmoCRMProcess
        let fixture: TemporaryLog
        let engine: SyncEngine
        let client: AmoCRMClient
        let lead: LeadID
    }

    private func leadWhoseNoteFailed(_ fault: String, reconcileChecks: Int = 6) async throws -> FailedNote {
        let crm = try FakeAmoCRMProcess()
        try await crm.control("behaviour", ["note_fault": fault])
        let fixture = try TemporaryLog()
        let (engine, client) = try engine(fixture.log, crm, reconcileChecks: reconcileChecks)
        let lead = try receive(fixture.log)
        #expect(try await engine.runOnce() == 1)
        try await crm.control("behaviour", ["note_fault": "none"])
        return FailedNote(crm: crm, fixture: fixture, engine: engine, client: client, lead: lead)
    }

    @Test func aCreatedLeadsNoteArrivesWithItsLedgerIdAndIsRecorded() async throws {
        let crm = try FakeAmoCRMProcess()
        let fixture = try TemporaryLog()
        let (engine, client) = try engine(fixture.log, crm)
        let lead = try receive(fixture.log)
        #expect(try await engine.runOnce() == 1)
        await client.shutdown()
        let added = try await notes(crm)
        #expect(added.count == 1)
        let text = try #require(added.first?["text"] as? String)
        #expect(text.contains("Комментарий: Перезвоните после 18:00"))
        #expect(text.contains("Страница: https://site.ru/promo"))
        #expect(LeadNoteRequest.carries(lead.description, in: text))
        #expect(
            try types(fixture.log, lead) == ["LeadReceived", "SyncAttempted", "SyncSucceeded", "NoteAttempted", "NoteAdded"])
        #expect(try await note(fixture.log, lead)?.state == .added)
    }

    /// The create's reply is lost; the created_at list finds the lead. The note, never sent before, goes to it now.
    @Test func aLeadFoundByReconciliationGetsItsNote() async throws {
        let crm = try FakeAmoCRMProcess(search: "missing")
        let fixture = try TemporaryLog()
        let (engine, client) = try engine(fixture.log, crm)
        let lead = try receive(fixture.log)
        try await crm.control("mode", ["mode": "lost-reply"])
        #expect(try await engine.runOnce() == 1)
        #expect(try await notes(crm).isEmpty, "the reply was lost, so no CRM id to put a note on yet")
        try await crm.control("mode", ["mode": "ok"])
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await engine.runOnce() == 1)
        await client.shutdown()
        let state = try await crm.state()
        let crmLead = try #require((state["leads"] as? [[String: Any]])?.first?["id"] as? Int64)
        let added = try await notes(crm)
        #expect(added.count == 1)
        #expect(added.first?["entity_id"] as? Int64 == crmLead)
        #expect(state["created_total"] as? Int == 1)
        #expect(try await note(fixture.log, lead)?.state == .added)
    }

    /// Duplicate control matches the second lead to the first one's CRM lead: its comment goes there too.
    @Test func aMergedLeadsNoteGoesToTheLeadItWasMatchedTo() async throws {
        let crm = try FakeAmoCRMProcess()
        try await crm.control("behaviour", ["duplicate_control": true])
        let fixture = try TemporaryLog()
        let (engine, client) = try engine(fixture.log, crm)
        let first = try receive(fixture.log, comment: "Первая заявка")
        #expect(try await engine.runOnce() == 1)
        let second = try receive(fixture.log, comment: "Вторая заявка, тот же телефон")
        #expect(try await engine.runOnce() == 1)
        await client.shutdown()
        let state = try await crm.state()
        #expect(state["created_total"] as? Int == 1)
        #expect(state["merged_total"] as? Int == 1)
        let crmLead = try #require((state["leads"] as? [[String: Any]])?.first?["id"] as? Int64)
        let added = try await notes(crm)
        #expect(added.count == 2)
        #expect(added.allSatisfy { $0["entity_id"] as? Int64 == crmLead })
        let texts = added.compactMap { $0["text"] as? String }
        #expect(texts.contains { LeadNoteRequest.carries(first.description, in: $0) })
        #expect(texts.contains { LeadNoteRequest.carries(second.description, in: $0) && $0.contains("Вторая заявка") })
    }

    /// The note call adds the note and loses its reply: the next pass lists the lead's notes, finds it and records it
    /// added, without a second note.
    @Test func aNoteWhoseReplyIsLostIsFoundNotSentTwice() async throws {
        let failed = try await leadWhoseNoteFailed("lost-reply")
        let (crm, log, lead) = (failed.crm, failed.fixture.log, failed.lead)
        #expect(try await note(log, lead)?.lastErrorClass == .unknownOutcome)
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await failed.engine.runOnce() == 1, "the note is due again")
        await failed.client.shutdown()
        let state = try await crm.state()
        #expect(try await notes(crm).count == 1)
        #expect(state["note_duplicates"] as? Int == 0)
        #expect(try await calls(crm, "POST", "/api/v4/leads/notes") == 1, "found by the list, not sent again")
        #expect(try await calls(crm, "GET", "/api/v4/leads/notes") == 1)
        #expect(try await note(log, lead)?.state == .added)
        #expect(
            try types(log, lead) == [
                "LeadReceived", "SyncAttempted", "SyncSucceeded", "NoteAttempted", "NoteFailed", "NoteAttempted", "NoteAdded",
            ])
    }

    /// A lost reply, then a note list that fails too: nothing proves the note absent, so it is never sent again
    /// blindly. Below `reconcileChecks` it waits for the next check; at the bound it is given up (its text stays in
    /// the ledger, the lead stays delivered).
    @Test(arguments: [(1, NoteState.dead), (2, NoteState.pending)])
    func aNoteNoListCanDecideIsNeverResentAndIsGivenUpAtTheBound(checks: Int, after: NoteState) async throws {
        let failed = try await leadWhoseNoteFailed("lost-reply", reconcileChecks: checks)
        try await failed.crm.control("mode", ["mode": "500"])
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await failed.engine.runOnce() == 1)
        await failed.client.shutdown()
        let entry = try await #require(try note(failed.fixture.log, failed.lead))
        #expect(entry.state == after)
        #expect(entry.lastErrorClass == .unknownOutcome)
        #expect(try await calls(failed.crm, "GET", "/api/v4/leads/notes") == 1, "one check")
        #expect(try await calls(failed.crm, "POST", "/api/v4/leads/notes") == 1, "never resent without proof")
    }

    /// A 500 added nothing, which the list shows: the note is sent again and arrives once.
    @Test func aNoteRefusedWithA500IsCheckedThenSentAgainAndArrivesOnce() async throws {
        let failed = try await leadWhoseNoteFailed("500")
        let waiting = try await #require(try note(failed.fixture.log, failed.lead))
        #expect(waiting.state == .pending)
        #expect(waiting.lastErrorClass == .serverError)
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await failed.engine.runOnce() == 1)
        await failed.client.shutdown()
        #expect(try await notes(failed.crm).count == 1)
        #expect(try await calls(failed.crm, "POST", "/api/v4/leads/notes") == 2)
        #expect(try await note(failed.fixture.log, failed.lead)?.state == .added)
    }

    /// A note still owed when the lead's personal data is erased cannot be written any more: it is given up, with
    /// the reason, and never sent.
    @Test func aNoteOwedWhenTheLeadIsErasedIsGivenUpNotSent() async throws {
        let failed = try await leadWhoseNoteFailed("500")
        #expect(try await note(failed.fixture.log, failed.lead)?.state == .pending)
        _ = try failed.fixture.log.erase(failed.lead, reason: "consent withdrawn")
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await failed.engine.runOnce() == 1)
        await failed.client.shutdown()
        let given = try await #require(try note(failed.fixture.log, failed.lead))
        #expect(given.state == .dead)
        #expect(given.lastError == "personal data erased before the note was added")
        #expect(try await notes(failed.crm).isEmpty)
        #expect(try await calls(failed.crm, "POST", "/api/v4/leads/notes") == 1, "only the first, refused call")
    }

    /// A reactor that stopped during a note call: recovery makes it an unknown outcome, and the next pass checks.
    @Test func aNoteAttemptOrphanedByAStopIsCheckedBeforeResending() async throws {
        let crm = try FakeAmoCRMProcess()
        let fixture = try TemporaryLog()
        let (engine, client) = try engine(fixture.log, crm)
        let lead = try receive(fixture.log)
        try await crm.control("behaviour", ["note_fault": "lost-reply"])
        #expect(try await engine.runOnce() == 1)
        // As if the stop came before the note's outcome was written: the attempt in flight, the note in AmoCRM.
        let crmLead = try await #require(try note(fixture.log, lead)?.crmLeadID)
        try fixture.log.append(
            .noteAttempted(NoteAttempted(leadID: lead, attempt: 2, attemptID: "stopped", crmLeadID: crmLead)))
        try await crm.control("behaviour", ["note_fault": "none"])
        #expect(try await engine.recoverOrphanedAttempts() == 1)
        #expect(try await note(fixture.log, lead)?.lastErrorClass == .unknownOutcome)
        #expect(try await engine.runOnce() == 1)
        await client.shutdown()
        #expect(try await notes(crm).count == 1)
        #expect(try await calls(crm, "POST", "/api/v4/leads/notes") == 1)
    }
}
