import LedgerCore
import LedgerProjections
import LedgerStore
import LedgerTesting
import Testing

/// Property: whatever AmoCRM answers and however the clock moves, the retry queue the reactor reads never offers a
/// lead with an attempt in flight (so a lead never has two), never offers one before its retry time, only dead-letters
/// on a failure with no next attempt, never lets a late report undo a success, and a dead lead can always be requeued.
/// Random reactor-shaped histories through the real log and runner.
struct RetryQueuePropertyTests {
    /// What one run went through, so a test can prove the runs reach the interesting transitions at all.
    struct Coverage {
        var retries = 0
        var requeuedDead = 0
        var staleReportsAfterSuccess = 0
    }

    @Test(arguments: UInt64(1)...12)
    func randomRepliesAndClockJumpsNeverBreakTheQueueInvariants(seed: UInt64) async throws {
        _ = try await Self.simulate(seed: seed)
    }

    @Test func theRandomRunsReachRetriesRequeuesAndStaleReports() async throws {
        var total = Coverage()
        for seed in UInt64(1)...12 {
            let coverage = try await Self.simulate(seed: seed)
            total.retries += coverage.retries
            total.requeuedDead += coverage.requeuedDead
            total.staleReportsAfterSuccess += coverage.staleReportsAfterSuccess
        }
        #expect(total.retries > 0)
        #expect(total.requeuedDead > 0)
        #expect(total.staleReportsAfterSuccess > 0)
    }

    static func simulate(seed: UInt64) async throws -> Coverage {
        var coverage = Coverage()
        var random = SeededGenerator(seed: seed &* 0xD1B5_4A32_D192_ED03)
        let fixture = try TemporaryLog()
        let runner = try ProjectionRunner(log: fixture.log, batchSize: Int.random(in: 1...50, using: &random))
        let queue = RetryQueue(store: runner.store)
        var leads: [LeadID] = []
        for number in 0..<3 {
            let now = fixture.clock.now()
            leads.append(
                try fixture.log.receive(
                    NewLead(
                        leadID: LeadID.make(at: now), receivedAt: now, personal: PersonalData(phone: "+7916000000\(number)"))
                ).leadID)
            fixture.clock.advance(milliseconds: 1)
        }
        var attempts: [LeadID: Int] = [:]
        for _ in 0..<80 {
            fixture.clock.advance(milliseconds: Int64.random(in: 0...600_000, using: &random))
            let lead = leads[Int.random(in: 0..<leads.count, using: &random)]
            try await runner.catchUp()
            let now = fixture.clock.now()
            let before = try #require(try queue.entry(lead))
            let due = try queue.due(at: now, limit: 100)
            for entry in due {
                #expect(entry.state == .pending, "seed \(seed): a \(entry.state) lead was offered")
                #expect(entry.inFlightAttemptID == nil, "seed \(seed): a lead in flight was offered")
                #expect((entry.nextAttemptAt ?? now) <= now, "seed \(seed): offered before its time")
            }
            switch before.state {
            case .pending where due.contains(where: { $0.leadID == lead }):
                let number = (attempts[lead] ?? 0) + 1
                attempts[lead] = number
                if number > 1 { coverage.retries += 1 }
                try fixture.log.append(
                    .syncAttempted(SyncAttempted(leadID: lead, attempt: number, attemptID: "\(lead)-\(number)", target: .amocrm)))
            case .inFlight:
                let number = attempts[lead] ?? 0
                try record(Int.random(in: 0..<3, using: &random), lead: lead, attempt: number, fixture, &random)
            case .dead:
                try fixture.log.append(.leadRequeued(LeadRequeued(leadID: lead, requestedBy: "property")))
                try await runner.catchUp()
                let requeued = try #require(try queue.entry(lead))
                #expect(requeued.state == .pending, "seed \(seed): requeue of a dead lead")
                #expect(try queue.due(at: fixture.clock.now(), limit: 100).contains { $0.leadID == lead })
                coverage.requeuedDead += 1
            case .synced:
                // A late, stale failure for an old attempt must not undo the success.
                try record(1, lead: lead, attempt: attempts[lead] ?? 1, fixture, &random)
                try await runner.catchUp()
                #expect(try queue.entry(lead)?.state == .synced, "seed \(seed): a success was undone")
                coverage.staleReportsAfterSuccess += 1
            case .pending, .spam:
                break
            }
        }
        try await runner.catchUp()
        #expect(try HealthView.load(runner.store, now: fixture.clock.now()).conservationHolds)
        return coverage
    }

    /// 0: success; 1: a retryable failure with a next attempt; 2: a permanent failure (dead letter).
    private static func record(
        _ kind: Int, lead: LeadID, attempt: Int, _ fixture: TemporaryLog, _ random: inout SeededGenerator
    ) throws {
        let attemptID = "\(lead)-\(attempt)"
        switch kind {
        case 0:
            try fixture.log.append(
                .syncSucceeded(
                    SyncSucceeded(leadID: lead, attemptID: attemptID, attempt: attempt, crmLeadID: 1, crmContactID: nil)))
        case 1:
            let next = fixture.clock.now().adding(milliseconds: Int64.random(in: 1000...900_000, using: &random))
            try fixture.log.append(
                .syncFailed(
                    SyncFailed(
                        leadID: lead, attemptID: attemptID, attempt: attempt, errorClass: .timeout, httpStatus: nil,
                        message: "timeout", retryable: true, nextAttemptAt: next)))
        default:
            try fixture.log.append(
                .syncFailed(
                    SyncFailed(
                        leadID: lead, attemptID: attemptID, attempt: attempt, errorClass: .rejected, httpStatus: 422,
                        message: "rejected", retryable: false, nextAttemptAt: nil)))
        }
    }
}
