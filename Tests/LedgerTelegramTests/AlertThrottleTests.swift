import LedgerCore
import LedgerTelegram
import Testing

@Suite struct AlertThrottleTests {
    /// A clock moved by hand: every decision gets the time passed in.
    struct Clock {
        var now = fixedStart
        mutating func advance(seconds: Int64) { now = now.adding(seconds: seconds) }
    }

    @Test func onlyThe1st3rd10th30thAnd100thOccurrencesAreSentWhenTheWindowAllows() {
        var throttle = AlertThrottle()
        var clock = Clock()
        var sent: [Int] = []
        for occurrence in 1...300 {
            if case .send(let count) = throttle.raised(dedupeKey: "crm_stopped", at: clock.now) {
                #expect(count == occurrence)
                sent.append(occurrence)
            }
            clock.advance(seconds: 3600)  // always past the 10-minute window
        }
        #expect(sent == [1, 3, 10, 30, 100, 200, 300])
    }

    @Test func aMilestoneInsideTheWindowIsHeldAndSentWithTheFirstOccurrenceAfterIt() {
        var throttle = AlertThrottle()
        var clock = Clock()
        #expect(throttle.raised(dedupeKey: "k", at: clock.now) == .send(occurrences: 1))
        clock.advance(seconds: 60)
        #expect(throttle.raised(dedupeKey: "k", at: clock.now) == .suppress(occurrences: 2))
        clock.advance(seconds: 60)
        #expect(throttle.raised(dedupeKey: "k", at: clock.now) == .suppress(occurrences: 3))  // 3rd, but 2 min < 10 min
        clock.advance(seconds: 479)
        #expect(throttle.raised(dedupeKey: "k", at: clock.now) == .suppress(occurrences: 4))  // 9 min 59 s after the 1st
        clock.advance(seconds: 1)
        #expect(throttle.raised(dedupeKey: "k", at: clock.now) == .send(occurrences: 5))  // 10 min: the held milestone
        clock.advance(seconds: 3600)
        #expect(throttle.raised(dedupeKey: "k", at: clock.now) == .suppress(occurrences: 6))  // next milestone is 10
    }

    @Test func theWindowIsPerKey() {
        var throttle = AlertThrottle()
        let now = fixedStart
        #expect(throttle.raised(dedupeKey: "a", at: now) == .send(occurrences: 1))
        #expect(throttle.raised(dedupeKey: "b", at: now) == .send(occurrences: 1))
        #expect(throttle.raised(dedupeKey: "a", at: now) == .suppress(occurrences: 2))
    }

    @Test func aResolutionIsSentOnceAndOnlyForARaiseThatWasSent() {
        var throttle = AlertThrottle()
        var clock = Clock()
        #expect(throttle.resolved(dedupeKey: "never", at: clock.now) == .suppress(occurrences: 0))
        _ = throttle.raised(dedupeKey: "k", at: clock.now)
        _ = throttle.raised(dedupeKey: "k", at: clock.now)
        clock.advance(seconds: 30)
        #expect(throttle.resolved(dedupeKey: "k", at: clock.now) == .send(occurrences: 2))
        #expect(throttle.resolved(dedupeKey: "k", at: clock.now) == .suppress(occurrences: 0))
        // The same condition coming back is news again, window or not.
        #expect(throttle.raised(dedupeKey: "k", at: clock.now) == .send(occurrences: 1))
        #expect(throttle.openConditionCount == 1)
    }

    @Test func moreThanFiveDueAtOnceBecomeOneDigest() {
        let throttle = AlertThrottle()
        #expect(throttle.plan(Array(1...5)) == .individually(Array(1...5)))
        #expect(throttle.plan(Array(1...6)) == .digest(Array(1...6)))
    }

    @Test func theDigestListsEveryAlertAndStaysWithinTheLimitsThroughTheSplitter() {
        let text = AlertText(locale: .ru, timeZone: moscow)
        let entries = (1...200).map { index in
            AlertDigestEntry(
                alert: AlertContent(
                    alertID: "0190-\(index)", kind: "lead_dead", severity: .warning,
                    message: String(repeating: "<длинно> ", count: 100), subject: "lead-\(index)", since: fixedStart))
        }
        let digest = text.digest(entries, at: fixedStart)
        #expect(digest.hasPrefix("🔔 <b>Сводка оповещений: 200</b>"))
        #expect(digest.contains("…и ещё 170"))
        let parts = text.splitter.split(digest)
        #expect(parts.count <= 5)
        for part in parts { #expect(TelegramHTML.plainLength(part) <= TelegramAPI.maxTextUTF16Units) }
    }

    @Test func floodControlPausesEverySendForExactlyRetryAfter() {
        var throttle = AlertThrottle()
        let now = fixedStart
        #expect(throttle.nextSendAllowed(at: now) == now)
        throttle.recordFloodControl(retryAfter: .seconds(35), at: now)
        #expect(throttle.nextSendAllowed(at: now) == now.adding(seconds: 35))
        #expect(throttle.nextSendAllowed(at: now.adding(seconds: 40)) == now.adding(seconds: 40))
    }

    @Test func oneMessagePerSecondAndTwentyPerMinutePerChat() {
        var throttle = AlertThrottle()
        var now = fixedStart
        throttle.recordSend(at: now)
        #expect(throttle.nextSendAllowed(at: now) == now.adding(seconds: 1))
        for _ in 2...20 {
            now = throttle.nextSendAllowed(at: now)
            throttle.recordSend(at: now)
        }
        // 20 sends in 19 s: the 21st waits until a minute after the first.
        #expect(now == fixedStart.adding(seconds: 19))
        #expect(throttle.nextSendAllowed(at: now) == fixedStart.adding(seconds: 60))
    }

    @Test func rememberedConditionsAreBounded() {
        var throttle = AlertThrottle(policy: AlertThrottlePolicy(maxTrackedKeys: 3))
        var now = fixedStart
        for key in ["a", "b", "c", "d"] {
            _ = throttle.raised(dedupeKey: key, at: now)
            now = now.adding(seconds: 1)
        }
        #expect(throttle.openConditionCount == 3)
        // "a" was seen longest ago and is forgotten: its resolution is not sent.
        #expect(throttle.resolved(dedupeKey: "a", at: now) == .suppress(occurrences: 0))
        #expect(throttle.resolved(dedupeKey: "d", at: now) == .send(occurrences: 1))
    }
}
