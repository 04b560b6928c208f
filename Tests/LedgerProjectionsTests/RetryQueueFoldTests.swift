import LedgerCore
import LedgerProjections
import LedgerStore
import LedgerTesting
import Testing

/// The retry queue's state machine, driven through the real log and runner.
struct RetryQueueFoldTests {
    let fixture: TemporaryLog
    let runner: ProjectionRunner
    let lead: LeadID

    init() throws {
        fixture = try TemporaryLog()
        runner = try ProjectionRunner(log: fixture.log)
        lead = try fixture.log.receive(
            NewLead(
                leadID: LeadID.make(at: fixture.clock.now()), receivedAt: fixture.clock.now(),
                personal: PersonalData(phone: "+79160000000"))
        ).leadID
    }

    private func entry() async throws -> RetryQueueEntry {
        try await runner.catchUp()
        return try #require(try RetryQueue(store: runner.store).entry(lead))
    }

    private func attempt(_ number: Int) throws {
        try fixture.log.append(
            .syncAttempted(SyncAttempted(leadID: lead, attempt: number, attemptID: "a\(number)", target: .amocrm)))
    }

    private func fail(_ number: Int, retryAt: Timestamp?) throws {
        try fixture.log.append(
            .syncFailed(
                SyncFailed(
                    leadID: lead, attemptID: "a\(number)", attempt: number, errorClass: retryAt == nil ? .rejected : .timeout,
                    httpStatus: retryAt == nil ? 422 : nil, message: "m\(number)", retryable: retryAt != nil,
                    nextAttemptAt: retryAt)))
    }

    @Test func aSpamLeadIsFinalOnArrivalNeverDueAndNotRequeueable() async throws {
        let now = fixture.clock.now()
        let spam = try fixture.log.receive(
            NewLead(
                leadID: LeadID.make(at: now), receivedAt: now, personal: PersonalData(phone: "+79160000001"),
                spam: .honeypot)
        ).leadID
        try fixture.log.append(.leadRequeued(LeadRequeued(leadID: spam, requestedBy: "test")))
        try await runner.catchUp()
        let queue = RetryQueue(store: runner.store)
        let entry = try #require(try queue.entry(spam))
        #expect(entry.state == .spam)
        #expect(entry.nextAttemptAt == nil)
        #expect(entry.requeues == 0)
        #expect(try queue.due(at: now.adding(seconds: 86_400), limit: 10).map(\.leadID) == [lead])
    }

    @Test func aNewLeadIsPendingAndDueAtOnce() async throws {
        let entry = try await entry()
        #expect(entry.state == .pending)
        #expect(entry.nextAttemptAt == entry.receivedAt)
        #expect(try RetryQueue(store: runner.store).due(at: fixture.clock.now(), limit: 10).map(\.leadID) == [lead])
    }

    @Test func anAttemptWithoutOutcomeIsInFlightAndNotDue() async throws {
        try attempt(1)
        let entry = try await entry()
        #expect(entry.state == .inFlight)
        #expect(entry.inFlightAttemptID == "a1")
        #expect(try RetryQueue(store: runner.store).due(at: fixture.clock.now().adding(seconds: 3600), limit: 10).isEmpty)
    }

    @Test func aRetryableFailureSchedulesTheNextAttempt() async throws {
        let retryAt = fixture.clock.now().adding(seconds: 60)
        try attempt(1)
        try fail(1, retryAt: retryAt)
        let entry = try await entry()
        #expect(entry.state == .pending)
        #expect(entry.nextAttemptAt == retryAt)
        #expect(entry.failures == 1)
        #expect(entry.lastErrorClass == .timeout)
        let queue = RetryQueue(store: runner.store)
        #expect(try queue.due(at: retryAt.adding(milliseconds: -1), limit: 10).isEmpty)
        #expect(try queue.due(at: retryAt, limit: 10).count == 1)
    }

    @Test func aPermanentFailureKillsTheLeadAndRequeueRevivesIt() async throws {
        try attempt(1)
        try fail(1, retryAt: nil)
        #expect(try await entry().state == .dead)
        #expect(try RetryQueue(store: runner.store).entries(in: .dead, limit: 10).count == 1)
        fixture.clock.advance(milliseconds: 5000)
        try fixture.log.append(.leadRequeued(LeadRequeued(leadID: lead, requestedBy: "test")))
        let revived = try await entry()
        #expect(revived.state == .pending)
        #expect(revived.requeues == 1)
        #expect(revived.attemptsBeforeRequeue == 1)
        #expect(revived.nextAttemptAt == fixture.clock.now())
    }

    @Test func requeueOfALeadThatIsNotDeadChangesNothing() async throws {
        try attempt(1)
        try fixture.log.append(.leadRequeued(LeadRequeued(leadID: lead, requestedBy: "test")))
        let entry = try await entry()
        #expect(entry.state == .inFlight)
        #expect(entry.requeues == 0)
    }

    @Test func successIsFinalEvenIfAStaleFailureArrivesLater() async throws {
        try attempt(1)
        try fixture.log.append(
            .syncSucceeded(SyncSucceeded(leadID: lead, attemptID: "a1", attempt: 1, crmLeadID: 77, crmContactID: 78)))
        try fail(1, retryAt: fixture.clock.now().adding(seconds: 60))
        let entry = try await entry()
        #expect(entry.state == .synced)
        #expect(entry.crmLeadID == 77)
        #expect(entry.failures == 0)
        #expect(entry.nextAttemptAt == nil)
    }

    @Test func consecutiveCRMFailuresCountUntilASuccessButIgnoreRejections() async throws {
        for number in 1...3 {
            try attempt(number)
            try fail(number, retryAt: fixture.clock.now().adding(seconds: 60))
        }
        try await runner.catchUp()
        #expect(try HealthView.load(runner.store, now: fixture.clock.now()).totals.consecutiveCRMFailures == 3)
        try attempt(4)
        try fail(4, retryAt: nil)
        try await runner.catchUp()
        #expect(try HealthView.load(runner.store, now: fixture.clock.now()).totals.consecutiveCRMFailures == 3)
    }

    @Test func oldestPendingAgeCountsFromArrival() async throws {
        fixture.clock.advance(milliseconds: 14 * 60_000)
        try await runner.catchUp()
        let health = try HealthView.load(runner.store, now: fixture.clock.now())
        #expect(health.oldestPendingAgeSeconds == Int64(14 * 60))
        #expect(health.conservationHolds)
    }
}
