import LedgerAmoCRM
import LedgerCore
import LedgerReactor
import LedgerTesting
import Testing

@Suite struct RequestPacerTests {
    @Test func aBurstUpToTheLimitGoesAtOnceAndTheNextWaitsForTheWindow() {
        var pacer = RequestPacer(limit: 7, window: .seconds(1))
        for _ in 0..<7 { #expect(pacer.reserve(now: PolicyFixture.now) == .zero) }
        #expect(pacer.reserve(now: PolicyFixture.now) == .seconds(1))
        #expect(pacer.reserve(now: PolicyFixture.now.adding(milliseconds: 400)) == .milliseconds(600))
    }

    @Test func noOneSecondWindowEverHoldsMoreThanTheLimitForRandomReservations() {
        for seed in UInt64(0)..<100 {
            var generator = SeededGenerator(seed: seed)
            var pacer = RequestPacer()
            var now = PolicyFixture.now
            var sends: [Int64] = []
            for _ in 0..<300 {
                now = now.adding(milliseconds: Int64.random(in: 0...400, using: &generator))
                if Int.random(in: 0..<50, using: &generator) == 0 {
                    pacer.rateLimited(now: now, retryAfter: Bool.random(using: &generator) ? .seconds(3) : nil)
                }
                let wait = pacer.reserve(now: now)
                #expect(wait >= .zero)
                sends.append(now.millisecondsSinceEpoch + PolicyFixture.milliseconds(wait))
            }
            #expect(Self.busiestWindow(sends, milliseconds: 1000) <= AmoCRMAPI.requestsPerSecond, "seed \(seed)")
        }
    }

    /// The rule the window rests on: calls made one after another, each arriving at the CRM anywhere between its
    /// send and its end, of any length, sometimes sent late. No second, closed at both ends, holds eight arrivals.
    @Test func noSecondEverHoldsMoreThanTheLimitOfArrivalsWhateverTheCallsTake() {
        for seed in UInt64(0)..<100 {
            var generator = SeededGenerator(seed: seed)
            var pacer = RequestPacer(startingAt: PolicyFixture.now)
            var now = PolicyFixture.now
            var arrivals: [Int64] = []
            for _ in 0..<300 {
                now = now.adding(milliseconds: Int64.random(in: 0...30, using: &generator))
                let wait = pacer.reserve(now: now)
                let slot = now.adding(milliseconds: PolicyFixture.milliseconds(wait))
                let late = Int.random(in: 0..<10, using: &generator) == 0 ? Int64.random(in: 1...300, using: &generator) : 0
                let sent = slot.adding(milliseconds: late)
                pacer.sent(slot: slot, at: sent)
                let lasting =
                    Bool.random(using: &generator)
                    ? Int64.random(in: 0...5, using: &generator) : Int64.random(in: 0...900, using: &generator)
                arrivals.append(sent.millisecondsSinceEpoch + Int64.random(in: 0...lasting, using: &generator))
                now = sent.adding(milliseconds: lasting)
                pacer.finished(slot: slot, at: now)
                if Int.random(in: 0..<100, using: &generator) == 0 { pacer.rateLimited(now: now, retryAfter: nil) }
            }
            #expect(Self.busiestWindow(arrivals, milliseconds: 1001) <= AmoCRMAPI.requestsPerSecond, "seed \(seed)")
        }
    }

    /// Regression (backlog drain): a 50-lead create arrives later after its send than the small notes call sent
    /// next, and pacing sends alone let eight arrivals into one second. Counted from its end, a call whose reply took
    /// long holds the eighth call back until one window after that reply.
    @Test func aCallWhoseReplyTookLongHoldsTheEighthCallBackUntilOneWindowAfterItsEnd() {
        let start = PolicyFixture.now
        var pacer = RequestPacer(limit: 7, window: .seconds(1))
        Self.call(&pacer, now: start, lasting: 600)
        for offset in Int64(0)..<6 { Self.call(&pacer, now: start.adding(milliseconds: 600 + offset), lasting: 1) }
        #expect(pacer.reserve(now: start.adding(milliseconds: 700)) == .milliseconds(901), "1 s after +600 ms (+1 ms)")
    }

    @Test func aQuickReplyLetsTheEighthCallGoOneWindowAfterTheFirstSend() {
        let start = PolicyFixture.now
        var pacer = RequestPacer(limit: 7, window: .seconds(1))
        for offset in Int64(0)..<7 { Self.call(&pacer, now: start.adding(milliseconds: offset * 5), lasting: 4) }
        #expect(pacer.reserve(now: start.adding(milliseconds: 100)) == .milliseconds(905), "1 s after +4 ms (+1 ms)")
    }

    /// Several calls reserved at one instant share a slot, and their reports cannot say which is which: whatever the
    /// order of the reports, no call counts from before it went out or ended.
    @Test func callsThatShareASlotNeverCountEarlierThanTheyWentOrEnded() {
        let start = PolicyFixture.now
        var pacer = RequestPacer(limit: 2, window: .seconds(1))
        #expect(pacer.reserve(now: start) == .zero)
        #expect(pacer.reserve(now: start) == .zero)
        pacer.sent(slot: start, at: start)
        pacer.sent(slot: start, at: start.adding(milliseconds: 300))
        // The call sent at +300 ms ends first; the one sent at once is still out.
        pacer.finished(slot: start, at: start.adding(milliseconds: 400))
        #expect(pacer.reserve(now: start.adding(milliseconds: 500)) == .milliseconds(800), "1 s after +300 ms, not +0")
        var unknown = RequestPacer(limit: 1, window: .seconds(1))
        _ = unknown.reserve(now: start)
        unknown.finished(slot: start.adding(seconds: 9), at: start.adding(seconds: 10))
        #expect(unknown.reserve(now: start) == .seconds(1), "an unknown slot changes nothing")
    }

    /// Regression (kill storm): a reactor restarted right after a kill sent a full burst into the second its
    /// predecessor had already used, and AmoCRM answered 429.
    @Test func aPacerStartedAfterAKillSendsNothingUntilThePredecessorsWindowHasPassed() {
        let start = PolicyFixture.now
        // The killed process sent its seven calls just before `start`.
        let predecessor = (0..<7).map { start.millisecondsSinceEpoch - 100 + Int64($0) }
        var pacer = RequestPacer(limit: 7, startingAt: start)
        var sends: [Int64] = predecessor
        for _ in 0..<14 {
            sends.append(start.millisecondsSinceEpoch + PolicyFixture.milliseconds(pacer.reserve(now: start)))
        }
        #expect(sends[7] == start.millisecondsSinceEpoch + 1000, "the first call waits out one window")
        #expect(Self.busiestWindow(sends, milliseconds: 1000) <= 7)
        var unpaced = RequestPacer(limit: 7)
        #expect(unpaced.reserve(now: start) == .zero, "without a start time, the first call goes at once")
    }

    /// Regression (long kill storm): the reactor woke from its waits late, seven calls went out in a burst, and the
    /// eighth, paced from the first one's slot instead of its real send, was an eighth arrival within one second.
    @Test func aCallThatWentOutLateDelaysTheNextWindowFromItsRealSendTime() {
        let start = PolicyFixture.now
        var pacer = RequestPacer(limit: 7, window: .seconds(1))
        #expect(pacer.reserve(now: start) == .zero)
        pacer.sent(slot: start, at: start.adding(milliseconds: 400))
        for _ in 0..<6 { _ = pacer.reserve(now: start.adding(milliseconds: 400)) }
        let eighth = pacer.reserve(now: start.adding(milliseconds: 500))
        #expect(eighth == .milliseconds(900), "one window after the first call's real send at +400 ms")
        var unchanged = RequestPacer(limit: 1, window: .seconds(1))
        _ = unchanged.reserve(now: start)
        unchanged.sent(slot: start.adding(seconds: 9), at: start.adding(seconds: 10))
        #expect(unchanged.reserve(now: start) == .seconds(1), "an unknown slot changes nothing")
    }

    @Test func a429PausesEverythingThenRecoversGradually() {
        var pacer = RequestPacer(limit: 8, window: .seconds(1), recoveryStep: .seconds(10), defaultPenalty: .seconds(10))
        pacer.rateLimited(now: PolicyFixture.now, retryAfter: nil)
        #expect(pacer.reserve(now: PolicyFixture.now) == .seconds(10))
        #expect(pacer.effectiveLimit(at: PolicyFixture.now) == 0)
        #expect(pacer.effectiveLimit(at: PolicyFixture.now.adding(seconds: 10)) == 4)
        #expect(pacer.effectiveLimit(at: PolicyFixture.now.adding(seconds: 30)) == 6)
        #expect(pacer.effectiveLimit(at: PolicyFixture.now.adding(seconds: 60)) == 8)
    }

    @Test func aLongerRetryAfterIsHonouredAndAShorterPauseNeverShortensOne() {
        var pacer = RequestPacer()
        pacer.rateLimited(now: PolicyFixture.now, retryAfter: .seconds(120))
        pacer.slowDown(until: PolicyFixture.now.adding(seconds: 5))
        #expect(pacer.reserve(now: PolicyFixture.now) == .seconds(120))
    }

    // MARK: - Helpers

    /// One call made as the reactor makes it: reserved at `now`, sent when its slot comes, ended `lasting` ms later.
    static func call(_ pacer: inout RequestPacer, now: Timestamp, lasting: Int64) {
        let slot = now.adding(milliseconds: PolicyFixture.milliseconds(pacer.reserve(now: now)))
        pacer.sent(slot: slot, at: slot)
        pacer.finished(slot: slot, at: slot.adding(milliseconds: lasting))
    }

    /// The most sends in any half-open window `[t, t + milliseconds)`.
    static func busiestWindow(_ sends: [Int64], milliseconds: Int64) -> Int {
        let sorted = sends.sorted()
        var busiest = 0
        var start = 0
        for end in sorted.indices {
            while sorted[end] - sorted[start] >= milliseconds { start += 1 }
            busiest = max(busiest, end - start + 1)
        }
        return busiest
    }
}
