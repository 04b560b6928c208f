import LedgerAmoCRM
import LedgerCore
import LedgerOutbound
import LedgerReactor
import Testing

@Suite struct CircuitBreakerTests {
    let t0 = PolicyFixture.now

    @Test func fiveUnwellFailuresInARowOpenTheBreaker() {
        var breaker = CircuitBreaker()
        for _ in 0..<4 { breaker.record(.unwell, now: t0) }
        #expect(breaker.state == .closed)
        breaker.record(.unwell, now: t0)
        #expect(breaker.state == .open(since: t0, nextProbeAt: t0.adding(seconds: 15)))
        #expect(breaker.state.healthName == "open")
    }

    @Test func aHealthyReplyResetsTheCountAndRejectionsNeverOpenIt() {
        var breaker = CircuitBreaker()
        for _ in 0..<4 { breaker.record(.unwell, now: t0) }
        breaker.record(.healthy, now: t0)
        for _ in 0..<4 { breaker.record(.unwell, now: t0) }
        let rejection = ComplexCreateReply.batchRejected(status: 400, rejected: ["a": "bad"], message: "")
        for _ in 0..<10 { breaker.record(CircuitBreaker.Signal(rejection), now: t0) }
        #expect(breaker.state == .closed)
    }

    @Test func whileOpenOnlyProbesGoAtGrowingIntervalsCappedAtFiveMinutes() {
        var breaker = CircuitBreaker()
        for _ in 0..<5 { breaker.record(.unwell, now: t0) }
        #expect(breaker.permission(now: t0.adding(seconds: 14)) == .wait(until: t0.adding(seconds: 15)))
        var now = t0.adding(seconds: 15)
        var intervals: [Int64] = []
        for _ in 0..<8 {
            #expect(breaker.permission(now: now) == .probe)
            #expect(breaker.permission(now: now) == .wait(until: nil))
            breaker.record(.unwell, isProbe: true, now: now)
            guard case .open(let since, let next) = breaker.state else {
                Issue.record("the breaker closed on a failed probe")
                return
            }
            #expect(since == t0)
            intervals.append((next.millisecondsSinceEpoch - now.millisecondsSinceEpoch) / 1000)
            now = next
        }
        #expect(intervals == [30, 60, 120, 240, 300, 300, 300, 300])
    }

    @Test func aGoodProbeAllowsExactlyOneRealRequestWhoseSuccessCloses() {
        var breaker = CircuitBreaker()
        for _ in 0..<5 { breaker.record(.unwell, now: t0) }
        let later = t0.adding(seconds: 15)
        #expect(breaker.permission(now: later) == .probe)
        breaker.record(CircuitBreaker.Signal(ProbeReply.reachable), isProbe: true, now: later)
        #expect(breaker.state == .halfOpen)
        #expect(breaker.state.healthName == "half_open")
        #expect(breaker.permission(now: later) == .send)
        #expect(breaker.permission(now: later) == .wait(until: nil))
        breaker.record(.healthy, now: later)
        #expect(breaker.state == .closed)
        #expect(breaker.permission(now: later) == .send)
    }

    @Test func aFailedTrialReopensWithALongerInterval() {
        var breaker = CircuitBreaker()
        for _ in 0..<5 { breaker.record(.unwell, now: t0) }
        _ = breaker.permission(now: t0.adding(seconds: 15))
        breaker.record(.healthy, isProbe: true, now: t0.adding(seconds: 15))
        _ = breaker.permission(now: t0.adding(seconds: 16))
        breaker.record(.unwell, now: t0.adding(seconds: 16))
        #expect(breaker.state == .open(since: t0.adding(seconds: 16), nextProbeAt: t0.adding(seconds: 46)))
    }

    @Test func a403BlockOpensAtOnceWithTheLongProbeInterval() {
        var breaker = CircuitBreaker()
        breaker.record(CircuitBreaker.Signal(.forbidden(message: "HTTP 403: 403 Forbidden")), now: t0)
        #expect(breaker.state == .open(since: t0, nextProbeAt: t0.adding(seconds: 900)))
        _ = breaker.permission(now: t0.adding(seconds: 900))
        breaker.record(.blocked, isProbe: true, now: t0.adding(seconds: 900))
        #expect(breaker.state == .open(since: t0, nextProbeAt: t0.adding(seconds: 1800)))
    }

    @Test func signalsFollowWhatTheReplySaysAboutTheCRM() {
        #expect(CircuitBreaker.Signal(.notSent(TransportFailure(.connectFailed))) == .unwell)
        #expect(CircuitBreaker.Signal(.rateLimited(retryAfter: nil, message: "")) == .unwell)
        #expect(CircuitBreaker.Signal(.serverError(status: 503, message: "")) == .unwell)
        #expect(CircuitBreaker.Signal(.paymentRequired(message: "")) == .blocked)
        // Account-wide: a refusal of the whole account, and a 401 that a refresh did not cure.
        #expect(CircuitBreaker.Signal(.accountRefused(status: 400, problem: .opaqueRefusal(message: ""))) == .blocked)
        #expect(CircuitBreaker.Signal(.unauthorized(message: "")) == .blocked)
        #expect(CircuitBreaker.Signal(ComplexCreateReply.unknownOutcome(reason: "", httpStatus: nil)) == .unwell)
        #expect(CircuitBreaker.Signal(ComplexCreateReply.unknownOutcome(reason: "", httpStatus: 200)) == .neutral)
        #expect(CircuitBreaker.Signal(LeadSearchReply.notFound) == .healthy)
    }
}
