import LedgerCore
import LedgerProjections
import LedgerStore
import LedgerTesting
import Testing

/// The dashboard's `hourly_activity` read model: which hour each fact lands in, and the bounded 24-hour read.
struct HourlyActivityTests {
    /// 2026-11-18 10:00:00 UTC, the start of an hour.
    static let hour = Timestamp(millisecondsSinceEpoch: 1_795_000_000_000 - 1_795_000_000_000 % 3_600_000)

    @Test func factsLandInTheHourTheyHappenedSpamApartAndDeadLetteringCounted() async throws {
        let fixture = try TemporaryLog(start: Self.hour.adding(seconds: 59 * 60))
        let runner = try ProjectionRunner(log: fixture.log)
        let now = fixture.clock.now()
        let lead = try fixture.log.receive(
            NewLead(leadID: LeadID.make(at: now), receivedAt: now, personal: PersonalData(phone: "+79160000000"))
        ).leadID
        _ = try fixture.log.receive(
            NewLead(
                leadID: LeadID.make(at: now), receivedAt: now, personal: PersonalData(phone: "+79160000001"), spam: .honeypot))
        // The next hour: one retryable failure, then a permanent one (dead), a requeue and a success.
        fixture.clock.set(Self.hour.adding(seconds: 3600 + 10))
        try fixture.log.append([
            SyncEventBuilders.attempted(lead, 1),
            SyncEventBuilders.failed(lead, 1, retryAt: fixture.clock.now().adding(seconds: 30)),
            SyncEventBuilders.attempted(lead, 2), SyncEventBuilders.failed(lead, 2, retryAt: nil),
        ])
        try fixture.log.append(.leadRequeued(LeadRequeued(leadID: lead, requestedBy: "test")))
        try fixture.log.append([SyncEventBuilders.attempted(lead, 3), SyncEventBuilders.succeeded(lead, 3)])
        try await runner.catchUp()

        let hours = try HourlyActivity.lastHours(3, endingAt: Self.hour.adding(seconds: 2 * 3600 + 1), store: runner.store)
        #expect(hours.map(\.hourStart) == [0, 1, 2].map { Self.hour.adding(seconds: $0 * 3600) })
        #expect(hours[0] == HourlyActivity(hourStart: Self.hour, received: 1, spam: 1))
        #expect(
            hours[1]
                == HourlyActivity(hourStart: Self.hour.adding(seconds: 3600), delivered: 1, failed: 2, deadLettered: 1))
        #expect(hours[2] == HourlyActivity(hourStart: Self.hour.adding(seconds: 7200)))
    }

    @Test func theLast24HoursAreAlways24BucketsOldestFirstWhateverTheTableHolds() async throws {
        let fixture = try TemporaryLog()
        let runner = try ProjectionRunner(log: fixture.log)
        var generator = LeadHistoryGenerator(log: fixture.log, clock: fixture.clock, seed: 12)
        // One lead every 3 minutes for two days: 48 hours of rows, of which the read returns the last 24.
        generator.arrivalSpacingMilliseconds = 180_000
        generator.batchSize = 40
        try generator.generate(leads: 960)
        try await runner.catchUp()
        let now = fixture.clock.now()
        let hours = try HourlyActivity.lastHours(24, endingAt: now, store: runner.store)
        #expect(hours.count == 24)
        #expect(hours.last?.hourStart.millisecondsSinceEpoch == HourlyActivity.hourStart(of: now))
        #expect(
            zip(hours, hours.dropFirst()).allSatisfy {
                $1.hourStart.millisecondsSinceEpoch - $0.hourStart.millisecondsSinceEpoch == 3_600_000
            })
        #expect(hours.reduce(0) { $0 + $1.received + $1.spam } > 0)
        #expect(try HourlyActivity.lastHours(100_000, endingAt: now, store: runner.store).count == 24 * 31)
    }

    @Test func everyArrivalAndOutcomeIsCountedOnceAcrossAllHours() async throws {
        let fixture = try TemporaryLog()
        let runner = try ProjectionRunner(log: fixture.log, batchSize: 53)
        let summary = try LeadHistoryGenerator.write(leads: 1500, to: fixture.log, clock: fixture.clock, seed: 21)
        try await runner.catchUp()
        let all = try HourlyActivity.lastHours(
            24 * 31, endingAt: fixture.clock.now().adding(seconds: 86_400), store: runner.store)
        let health = try HealthView.load(runner.store, now: fixture.clock.now())
        #expect(all.reduce(0) { $0 + $1.received } == Int64(summary.leads - summary.spam))
        #expect(all.reduce(0) { $0 + $1.spam } == Int64(summary.spam))
        #expect(all.reduce(0) { $0 + $1.failed } == health.totals.syncFailuresTotal)
        #expect(all.reduce(0) { $0 + $1.deadLettered } >= Int64(summary.dead))
    }

    @Test func hourStartsFloorAlsoBefore1970() {
        #expect(HourlyActivity.hourStart(of: Timestamp(millisecondsSinceEpoch: 3_600_000 + 5)) == 3_600_000)
        #expect(HourlyActivity.hourStart(of: Timestamp(millisecondsSinceEpoch: -1)) == -3_600_000)
        #expect(HourlyActivity.hourStart(of: Timestamp(millisecondsSinceEpoch: 0)) == 0)
    }
}
