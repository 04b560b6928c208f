import Foundation
import LedgerAmoCRM
import LedgerCore
import LedgerOutbound
import LedgerProjections
import LedgerReactor
import LedgerStore
import LedgerTesting
import Logging
import Testing

/// The sync engine against canned AmoCRM exchanges and a manual clock: every wait (the pacer's, a retry's, the pause
/// after an account-wide refusal) passes at once, so the reactor's decisions are checked exactly and in milliseconds.
/// The same behaviours run against the fake AmoCRM server in `LedgerHTTPTests`; here nothing is on the network.
@Suite struct SyncEngineCannedTests {
    struct Rig {
        let temp: TemporaryLog
        let crm: CannedAmoCRM
        let engine: SyncEngine

        init(batchSize: Int = 50) throws {
            temp = try TemporaryLog()
            crm = CannedAmoCRM(clock: temp.clock)
            let base = try #require(URL(string: "https://canned.amocrm.ru"))
            let client = AmoCRMClient(
                configuration: AmoCRMClientConfiguration(baseURL: base), accessToken: { Secret("canned-token") },
                transport: crm.transport, clock: temp.clock, logger: Logger(label: "test.canned"))
            engine = SyncEngine(
                log: temp.log, runner: try ProjectionRunner(log: temp.log), client: client,
                configuration: SyncEngine.Configuration(batchSize: batchSize), clock: temp.clock,
                logger: Logger(label: "test.canned"))
        }

        /// `count` leads, each with a comment, so each also owes a note.
        func receive(_ count: Int) throws -> [LeadID] {
            try (0..<count).map { index in
                let now = temp.clock.now()
                return try temp.log.receive(
                    NewLead(
                        leadID: LeadID.make(at: now), receivedAt: now,
                        personal: PersonalData(
                            name: "Анна \(index)", phone: "+7916555\(String(format: "%04d", index))",
                            comment: "Перезвоните после обеда"))
                ).leadID
            }
        }

        /// Passes with the clock moved `step` between them, until a pass finds nothing to do and nothing waits, or
        /// `passes` ran.
        func settle(passes: Int = 60, step: Duration = .seconds(60)) async throws {
            for _ in 0..<passes {
                _ = try await engine.runOnce()
                temp.clock.advance(milliseconds: step.milliseconds)
            }
        }

        func entry(_ lead: LeadID) async throws -> RetryQueueEntry? {
            let runner = try ProjectionRunner(log: temp.log)
            try await runner.catchUp()
            return try RetryQueue(store: runner.store).entry(lead)
        }

        func note(_ lead: LeadID) async throws -> NoteQueueEntry? {
            let runner = try ProjectionRunner(log: temp.log)
            try await runner.catchUp()
            return try NoteQueue(store: runner.store).entry(lead)
        }

        func types(_ lead: LeadID) throws -> [String] {
            try temp.log.events(EventQuery(stream: lead.description, limit: 100)).map(\.type)
        }

        func alerts() throws -> [AlertRaised] {
            try temp.log.events(EventQuery(type: .alertRaised, limit: 100)).compactMap { row in
                guard case .alertRaised(let raised) = try row.decode() else { return nil }
                return raised
            }
        }
    }

    @Test func aBatchIsCreatedInOneCallAndItsNotesInOneMore() async throws {
        let rig = try Rig()
        let leads = try rig.receive(3)
        #expect(try await rig.engine.runOnce() == 3)
        #expect(rig.crm.calls(CannedAmoCRM.creates) == 1)
        #expect(rig.crm.calls(CannedAmoCRM.noteCalls) == 1)
        #expect(rig.crm.leads.count == 3)
        #expect(rig.crm.notes.count == 3)
        for lead in leads {
            #expect(try await rig.entry(lead)?.state == .synced)
            #expect(try await rig.note(lead)?.state == .added)
            #expect(try rig.types(lead) == ["LeadReceived", "SyncAttempted", "SyncSucceeded", "NoteAttempted", "NoteAdded"])
        }
    }

    /// The reply is lost after AmoCRM created the leads, and its search never finds them: the `created_at` list
    /// does, so no lead is created twice.
    @Test func aLostReplyIsSettledByTheListWithoutASecondCreate() async throws {
        let rig = try Rig()
        let leads = try rig.receive(5)
        rig.crm.failCreates(.lostReply)
        _ = try await rig.engine.runOnce()
        #expect(try await rig.entry(leads[0])?.lastErrorClass == .unknownOutcome)
        rig.crm.failCreates(.none)
        try await rig.settle(passes: 10)
        #expect(rig.crm.calls(CannedAmoCRM.creates) == 1, "never resent")
        #expect(rig.crm.calls(CannedAmoCRM.lists) >= 1)
        #expect(rig.crm.calls(CannedAmoCRM.searches) == 0, "the list decides; the search is not asked")
        #expect(rig.crm.leads.count == 5, "each lead once in the CRM")
        for lead in leads {
            #expect(try await rig.entry(lead)?.state == .synced)
            #expect(try await rig.note(lead)?.state == .added, "a reconciled lead gets its note too")
        }
    }

    /// The connection broke before AmoCRM read the request: the list proves the leads absent, and they are created
    /// once.
    @Test func leadsTheListProvesAbsentAreCreatedOnce() async throws {
        let rig = try Rig()
        let leads = try rig.receive(4)
        rig.crm.failCreates(.lostRequest)
        _ = try await rig.engine.runOnce()
        #expect(try await rig.entry(leads[0])?.lastErrorClass == .unknownOutcome)
        #expect(rig.crm.leads.isEmpty)
        rig.crm.failCreates(.none)
        try await rig.settle(passes: 10)
        #expect(rig.crm.calls(CannedAmoCRM.creates) == 2)
        #expect(rig.crm.leads.count == 4)
        for lead in leads { #expect(try await rig.entry(lead)?.state == .synced) }
    }

    /// An opaque 400 is the account's problem, not the leads': one alert, no dead letter. AmoCRM's account read still
    /// answers (the refusal is about adding leads), so each probe lets one create try again, once per
    /// `blockedProbeInterval` (15 minutes), and the first that succeeds delivers every lead.
    @Test func anAccountWideRefusalPausesWithOneAlertAndResumesByItself() async throws {
        let rig = try Rig()
        let leads = try rig.receive(3)
        rig.crm.failCreates(.opaque400)
        try await rig.settle(passes: 40)
        #expect(rig.crm.calls(CannedAmoCRM.creates) == 3, "the first create, then one per 15 minutes in 40")
        #expect(rig.crm.calls(CannedAmoCRM.probes) == 2)
        #expect(try rig.alerts().filter { $0.kind == "crm_stopped" }.count == 1, "one alert for the episode")
        for lead in leads { #expect(try await rig.entry(lead)?.state == .pending, "waiting, not dead") }
        rig.crm.failCreates(.none)
        try await rig.settle(passes: 20)
        #expect(rig.crm.leads.count == 3)
        for lead in leads { #expect(try await rig.entry(lead)?.state == .synced) }
        #expect(try rig.alerts().filter { $0.kind == "lead_dead" }.isEmpty)
    }

    /// A note whose reply was lost is checked by listing the lead's notes, never added twice.
    @Test func aNoteWhoseReplyWasLostIsFoundNotAddedTwice() async throws {
        let rig = try Rig()
        let leads = try rig.receive(2)
        rig.crm.failNotes(.lostReply)
        _ = try await rig.engine.runOnce()
        rig.crm.failNotes(.none)
        try await rig.settle(passes: 10)
        #expect(rig.crm.notes.count == 2, "each note once")
        for lead in leads { #expect(try await rig.note(lead)?.state == .added) }
    }

    /// However the passes fall, no second holds eight arrivals: call k+7 starts at least a second after call k's
    /// reply, so wherever AmoCRM stamps arrivals (between our send and its reply) at most seven land in any second.
    @Test func noSecondEverHoldsMoreThanSevenCalls() async throws {
        let rig = try Rig(batchSize: 1)
        _ = try rig.receive(12)
        rig.crm.failCreates(.none)
        try await rig.settle(passes: 30, step: .milliseconds(10))
        let calls = rig.crm.transport.calls
        #expect(calls.count >= 24, "a create and a note call per lead")
        for index in calls.indices.dropLast(7) {
            let start = try #require(calls[index + 7].startedAt)
            let end = try #require(calls[index].endedAt)
            #expect(start.millisecondsSinceEpoch - end.millisecondsSinceEpoch >= 1000, "call \(index + 7)")
        }
    }
}

extension SyncEngineCannedTests {
    /// A 429 pauses every call for the default penalty (AmoCRM sends no `Retry-After`): nothing goes out for 10 s.
    @Test func aRateLimitPausesEveryCallForTheDefaultPenalty() async throws {
        let rig = try Rig()
        let leads = try rig.receive(2)
        rig.crm.failCreates(.rateLimited)
        _ = try await rig.engine.runOnce()
        rig.crm.failCreates(.none)
        try await rig.settle(passes: 300, step: .milliseconds(500))
        let calls = rig.crm.transport.calls
        let refusedAt = try #require(calls.first?.endedAt)
        #expect(calls.count >= 2)
        for call in calls.dropFirst() {
            let start = try #require(call.startedAt)
            #expect(start.millisecondsSinceEpoch - refusedAt.millisecondsSinceEpoch >= 10_000, "\(call.request.path)")
        }
        for lead in leads { #expect(try await rig.entry(lead)?.state == .synced) }
    }
}
