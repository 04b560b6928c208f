import LedgerAmoCRM
import LedgerCore
import LedgerOutbound
import LedgerReactor
import LedgerTesting
import Testing

/// Drives schedule, pacer and breaker together through random replies and clock jumps, the way a reactor would,
/// and checks the invariants that must hold whatever AmoCRM does.
@Suite struct PolicyPropertyTests {
    struct PendingLead {
        var attempt = 0
        var dueAt: Timestamp
        var finished = false
    }

    /// What one run went through, so a test can prove the runs reach the interesting states at all.
    struct Coverage {
        var breakerOpened = 0
        var probes = 0
        var exhausted = 0
        var succeeded = 0
    }

    @Test(arguments: UInt64(0)..<40)
    func randomRepliesNeverBreakThePolicyInvariants(seed: UInt64) {
        _ = Self.simulate(seed: seed)
    }

    @Test func theRandomRunsReachOpenBreakersProbesExhaustionAndSuccess() {
        var total = Coverage()
        for seed in UInt64(0)..<40 {
            let coverage = Self.simulate(seed: seed)
            total.breakerOpened += coverage.breakerOpened
            total.probes += coverage.probes
            total.exhausted += coverage.exhausted
            total.succeeded += coverage.succeeded
        }
        #expect(total.breakerOpened > 0)
        #expect(total.probes > 0)
        #expect(total.exhausted > 0)
        #expect(total.succeeded > 0)
    }

    // MARK: - Helpers

    static func simulate(seed: UInt64) -> Coverage {
        var coverage = Coverage()
        var generator = SeededGenerator(seed: seed)
        let schedule = RetrySchedule.standard
        var pacer = RequestPacer()
        var breaker = CircuitBreaker()
        var now = PolicyFixture.now
        var leads = (0..<5).map { _ in PendingLead(dueAt: PolicyFixture.now) }
        var sends: [Int64] = []

        for _ in 0..<3000 {
            now = now.adding(milliseconds: Self.clockJump(using: &generator))
            guard let index = leads.indices.first(where: { !leads[$0].finished && leads[$0].dueAt <= now }) else { continue }
            let stateBefore = breaker.state
            switch breaker.permission(now: now) {
            case .wait:
                continue
            case .probe:
                coverage.probes += 1
                sends.append(Self.paced(&pacer, now: now))
                let healthy = Int.random(in: 0..<3, using: &generator) == 0
                breaker.record(healthy ? .healthy : .unwell, isProbe: true, now: now)
            case .send:
                if case .open = stateBefore { Issue.record("a real request was allowed while the breaker was open") }
                let sentAt = Timestamp(millisecondsSinceEpoch: Self.paced(&pacer, now: now))
                sends.append(sentAt.millisecondsSinceEpoch)
                leads[index].attempt += 1
                let outcome = Self.randomOutcome(using: &generator)
                breaker.record(Self.signal(outcome), now: sentAt)
                if case .open = breaker.state, !(stateBefore.healthName == "open") { coverage.breakerOpened += 1 }
                if case .failed(.rateLimited(let retryAfter, _)) = outcome {
                    pacer.rateLimited(now: sentAt, retryAfter: retryAfter)
                }
                let context = AttemptDecision.Context(attempt: leads[index].attempt, failedAt: sentAt, canRefreshToken: true)
                let decision = AttemptDecision.decide(outcome, context: context, schedule: schedule, using: &generator)
                Self.check(decision, outcome: outcome, attempt: leads[index].attempt, failedAt: sentAt, schedule: schedule)
                switch decision {
                case .succeeded:
                    leads[index].finished = true
                    coverage.succeeded += 1
                case .failed(let failure, _):
                    if let next = failure.nextAttemptAt { leads[index].dueAt = next } else { leads[index].finished = true }
                    if failure.nextAttemptAt == nil, leads[index].attempt == schedule.maxAttempts { coverage.exhausted += 1 }
                }
            }
        }
        #expect(RequestPacerTests.busiestWindow(sends, milliseconds: 1000) <= AmoCRMAPI.requestsPerSecond)
        return coverage
    }

    static func check(
        _ decision: AttemptDecision, outcome: LeadCreateOutcome, attempt: Int, failedAt: Timestamp, schedule: RetrySchedule
    ) {
        guard case .failed(let failure, let followUp) = decision else { return }
        if let next = failure.nextAttemptAt {
            #expect(next >= failedAt, "a retry was scheduled before the failure")
            #expect(attempt < schedule.maxAttempts || followUp == .resendAlone || followUp == .refreshTokenAndRetry)
        } else {
            let permanent: Bool
            switch outcome {
            case .rejected, .failed(.invalidRequest): permanent = true
            default: permanent = false
            }
            #expect(permanent || attempt >= schedule.maxAttempts, "dead-lettered before the schedule ran out: \(outcome)")
        }
    }

    /// Mostly small steps, sometimes minutes or hours, so both pacing and the long schedule are exercised.
    static func clockJump(using generator: inout some RandomNumberGenerator) -> Int64 {
        switch Int.random(in: 0..<10, using: &generator) {
        case 0: Int64.random(in: 60_000...7_200_000, using: &generator)
        case 1...3: Int64.random(in: 1_000...60_000, using: &generator)
        default: Int64.random(in: 0...300, using: &generator)
        }
    }

    static func paced(_ pacer: inout RequestPacer, now: Timestamp) -> Int64 {
        let wait = pacer.reserve(now: now)
        #expect(wait >= .zero)
        return now.millisecondsSinceEpoch + PolicyFixture.milliseconds(wait)
    }

    static func randomOutcome(using generator: inout some RandomNumberGenerator) -> LeadCreateOutcome {
        let outcomes: [LeadCreateOutcome] = [
            .created(CreatedLead(requestID: "r", crmLeadID: 1, crmContactID: nil, merged: false)),
            .rejected(status: 400, reason: "bad"), .resendAlone(reason: "others"),
            .unknownOutcome(reason: "lost", httpStatus: nil), .failed(.notSent(TransportFailure(.connectFailed))),
            .failed(.serverError(status: 503, message: "")), .failed(.rateLimited(retryAfter: nil, message: "")),
            .failed(.rateLimited(retryAfter: .seconds(30), message: "")), .failed(.forbidden(message: "")),
            .failed(.unauthorized(message: "")),
        ]
        // Failures dominate, so leads live long enough to reach the end of the schedule.
        let weights = [1, 1, 2, 6, 8, 8, 4, 2, 1, 2]
        var pick = Int.random(in: 0..<weights.reduce(0, +), using: &generator)
        for (outcome, weight) in zip(outcomes, weights) {
            if pick < weight { return outcome }
            pick -= weight
        }
        return outcomes[0]
    }

    static func signal(_ outcome: LeadCreateOutcome) -> CircuitBreaker.Signal {
        switch outcome {
        case .created, .rejected, .resendAlone: .healthy
        case .unknownOutcome(_, let status): status == nil ? .unwell : .neutral
        case .failed(let failure): CircuitBreaker.Signal(failure)
        }
    }
}
