import Foundation
import LedgerCore
import LedgerProjections
import LedgerStore
import LedgerTesting
import Testing

/// Property: for any generated log, read in any rhythm, the read models are the same as a full rebuild gives, they
/// agree with what was written, and the books balance. Each seed draws a different history (outcomes, erasures,
/// dead letters and requeues, spam, alerts, reports) and a different projection rhythm: batch sizes, how often catch-up runs
/// between appends.
struct RandomLogProjectionTests {
    @Test(arguments: UInt64(1)...8)
    func anyLogReadInAnyRhythmProjectsLikeARebuildAndBalances(seed: UInt64) async throws {
        var random = SeededGenerator(seed: seed &* 0x9E37_79B9_7F4A_7C15)
        let fixture = try TemporaryLog()
        let incremental = try ProjectionRunner(log: fixture.log, batchSize: Int.random(in: 1...500, using: &random))
        var generator = LeadHistoryGenerator(log: fixture.log, clock: fixture.clock, seed: seed)
        generator.batchSize = Int.random(in: 1...300, using: &random)
        var expected = LeadHistoryGenerator.Summary()
        for _ in 0..<Int.random(in: 1...6, using: &random) {
            let part = try generator.generate(leads: Int.random(in: 1...150, using: &random))
            expected.leads += part.leads
            expected.delivered += part.delivered
            expected.pending += part.pending
            expected.inFlight += part.inFlight
            expected.dead += part.dead
            expected.spam += part.spam
            if Bool.random(using: &random) { try await incremental.catchUp() }
        }
        try await incremental.catchUp()
        let health = try HealthView.load(incremental.store, now: fixture.clock.now())
        let afterIncremental = try readModelDump(incremental.store)

        let rebuilt = try await ProjectionRunner(
            log: fixture.log, store: incremental.store, batchSize: Int.random(in: 1...5000, using: &random)
        ).rebuild()
        #expect(rebuilt == (try fixture.log.count()))
        #expect(afterIncremental == (try readModelDump(incremental.store)), "seed \(seed)")
        #expect(health.conservationHolds, "seed \(seed)")
        #expect(health.totals.receivedTotal == Int64(expected.leads), "seed \(seed)")
        #expect(health.queue.spam == Int64(expected.spam), "seed \(seed)")
        #expect(health.queue.synced == Int64(expected.delivered), "seed \(seed)")
        #expect(health.queue.pending + health.queue.inFlight == Int64(expected.pending + expected.inFlight), "seed \(seed)")
        #expect(health.queue.dead == Int64(expected.dead), "seed \(seed)")
    }
}
