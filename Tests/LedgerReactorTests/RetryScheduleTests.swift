import LedgerCore
import LedgerReactor
import LedgerTesting
import Testing

@Suite struct RetryScheduleTests {
    let schedule = RetrySchedule.standard

    @Test func theStandardTableStartsAsDocumentedAndSpansAtLeast72HoursInTheWorstCase() {
        #expect(Array(schedule.delays.prefix(9)) == RetrySchedule.defaultTable + [.seconds(7200)])
        #expect(schedule.maxAttempts == 48)
        #expect(schedule.nominalSpan == .seconds(288_510))
        #expect(schedule.worstCaseSpan >= .seconds(72 * 3600))
    }

    @Test func baseDelaysNeverDecrease() {
        for (earlier, later) in zip(schedule.delays, schedule.delays.dropFirst()) { #expect(earlier <= later) }
    }

    @Test func evenWithTheWorstJitterEveryDrawSpansAtLeast72Hours() {
        for seed in UInt64(0)..<200 {
            var generator = SeededGenerator(seed: seed)
            var failedAt = PolicyFixture.now
            var attempt = 1
            while let next = schedule.nextAttempt(afterAttempt: attempt, failedAt: failedAt, using: &generator) {
                #expect(next > failedAt)
                failedAt = next
                attempt += 1
            }
            #expect(attempt == schedule.maxAttempts)
            #expect(failedAt.millisecondsSinceEpoch - PolicyFixture.now.millisecondsSinceEpoch >= 72 * 3_600_000)
        }
    }

    @Test func jitterStaysWithinTenPercentOfTheBaseDelay() {
        var generator = SeededGenerator(seed: 7)
        for (index, delay) in schedule.delays.enumerated() {
            let next = schedule.nextAttempt(afterAttempt: index + 1, failedAt: PolicyFixture.now, using: &generator)
            let waited = (next?.millisecondsSinceEpoch ?? 0) - PolicyFixture.now.millisecondsSinceEpoch
            let base = PolicyFixture.milliseconds(delay)
            #expect(waited >= base * 9 / 10 && waited <= base * 11 / 10, "attempt \(index + 1)")
        }
    }

    @Test func theScheduleIsExhaustedAfterTheLastAttempt() {
        var generator = SeededGenerator(seed: 1)
        #expect(
            schedule.nextAttempt(afterAttempt: schedule.maxAttempts - 1, failedAt: PolicyFixture.now, using: &generator) != nil)
        #expect(schedule.nextAttempt(afterAttempt: schedule.maxAttempts, failedAt: PolicyFixture.now, using: &generator) == nil)
    }

    @Test func retryAfterRaisesTheNextAttemptButIsCappedAtAnHour() {
        var generator = SeededGenerator(seed: 3)
        let raised = schedule.nextAttempt(
            afterAttempt: 1, failedAt: PolicyFixture.now, retryAfter: .seconds(600), using: &generator)
        #expect(raised == PolicyFixture.now.adding(seconds: 600))
        let capped = schedule.nextAttempt(
            afterAttempt: 1, failedAt: PolicyFixture.now, retryAfter: .seconds(86_400), using: &generator)
        #expect(capped == PolicyFixture.now.adding(seconds: 3600))
        let short = schedule.nextAttempt(afterAttempt: 1, failedAt: PolicyFixture.now, retryAfter: .seconds(1), using: &generator)
        #expect((short ?? PolicyFixture.now) >= PolicyFixture.now.adding(seconds: 27))
    }

    @Test func aScheduleGrowsItsTailToMeetAnyMinimumSpan() {
        let schedule = RetrySchedule(
            table: [.seconds(10)], repeating: .seconds(100), minimumSpan: .seconds(1000), jitter: 0.5, maxRetryAfter: .seconds(60)
        )
        #expect(schedule.worstCaseSpan >= .seconds(1000))
        #expect(schedule.delays.count == 21)
    }

    @Test func aOneSecondTailCoversSeventyTwoHoursAsACountNotAsEntries() {
        let schedule = RetrySchedule.standard(delaysSeconds: [1])
        // 72 h at 1 s, worst case 0.9 s each: 288,000 retries, the one in the table included.
        #expect(schedule.repeatCount == 287_999)
        #expect(schedule.maxAttempts == 288_001)
        #expect(schedule.worstCaseSpan >= .seconds(72 * 3600))
        #expect(schedule.delay(afterAttempt: 288_000) == .seconds(1))
        #expect(schedule.delay(afterAttempt: 288_001) == nil)
        let same = RetrySchedule(
            table: [.seconds(1)], repeating: .seconds(1), minimumSpan: .seconds(72 * 3600), jitter: 0.1,
            maxRetryAfter: .seconds(3600))
        #expect(same == schedule)
    }
}
