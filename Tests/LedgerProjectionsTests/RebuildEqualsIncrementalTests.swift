import Foundation
import GRDB
import LedgerCore
import LedgerProjections
import LedgerStore
import LedgerTesting
import Testing

struct RebuildEqualsIncrementalTests {
    /// 3,000 generated leads (~10,000 events, every outcome). Incremental: the projections follow the log in small
    /// batches while it is written. Rebuild: drop everything and replay in large batches. Same tables, row for row,
    /// and both match what the generator says it wrote.
    @Test func incrementalCatchUpAndFullRebuildGiveIdenticalReadModels() async throws {
        let fixture = try TemporaryLog()
        let incremental = try ProjectionRunner(log: fixture.log, batchSize: 37)
        var generator = LeadHistoryGenerator(log: fixture.log, clock: fixture.clock, seed: 2026)
        generator.batchSize = 250
        var expected = LeadHistoryGenerator.Summary()
        for _ in 0..<12 {
            let part = try generator.generate(leads: 250)
            expected.leads += part.leads
            expected.delivered += part.delivered
            expected.pending += part.pending
            expected.inFlight += part.inFlight
            expected.dead += part.dead
            expected.spam += part.spam
            try await incremental.catchUp()
        }
        let afterIncremental = try readModelDump(incremental.store)
        let health = try HealthView.load(incremental.store, now: fixture.clock.now())

        let rebuilder = ProjectionRunner(log: fixture.log, store: incremental.store, batchSize: 5000)
        let rebuilt = try await rebuilder.rebuild()
        #expect(rebuilt == (try fixture.log.count()))
        let afterRebuild = try readModelDump(incremental.store)

        #expect(afterIncremental == afterRebuild)
        #expect(afterRebuild["retry_queue"]?.count == 3000)
        #expect(health.totals.receivedTotal == 3000)
        #expect(health.queue.synced == Int64(expected.delivered))
        #expect(health.queue.pending == Int64(expected.pending))
        #expect(health.queue.inFlight == Int64(expected.inFlight))
        #expect(health.queue.dead == Int64(expected.dead))
        #expect(health.queue.spam == Int64(expected.spam))
        #expect(expected.spam > 0)
        #expect(health.totals.spamTotal == Int64(expected.spam))
        #expect(health.conservationHolds)
    }

    @Test func projectionsRunnerIsSafeFromTwoProcessesViews() async throws {
        // Two runners (two pools on the log, two on the read models, as two processes have) racing over one read-model
        // file never apply an event twice.
        let fixture = try TemporaryLog()
        try LeadHistoryGenerator.write(leads: 400, to: fixture.log, clock: fixture.clock, seed: 5)
        let other = try EventLog.open(path: fixture.path, clock: fixture.clock)
        let runners = [
            try ProjectionRunner(log: fixture.log, batchSize: 50), try ProjectionRunner(log: other, batchSize: 50),
        ]
        #expect(runners[0].store.path == runners[1].store.path)
        await withTaskGroup(of: Void.self) { group in
            for runner in runners { group.addTask { _ = try? await runner.catchUp() } }
        }
        let raced = try readModelDump(runners[0].store)
        _ = try await runners[0].rebuild()
        #expect(raced == (try readModelDump(runners[1].store)))
        #expect(try await runners[0].status(head: runners[0].log.head()?.seq ?? 0).allSatisfy { $0.lag == 0 })
    }

    @Test func rebuildLeavesSecureDeleteOnForErasures() async throws {
        let fixture = try TemporaryLog()
        try LeadHistoryGenerator.write(leads: 30, to: fixture.log, clock: fixture.clock, seed: 4)
        _ = try await ProjectionRunner(log: fixture.log).rebuild()
        // The read models' file turns it off (they hold no personal data); the log's connections keep it on.
        let secureDelete = try await fixture.log.database.write { db in try Int.fetchOne(db, sql: "PRAGMA secure_delete") }
        #expect(secureDelete == 1)
    }

    @Test func aGapInTheLogStopsTheProjectionLoudly() async throws {
        let fixture = try TemporaryLog()
        try LeadHistoryGenerator.write(leads: 20, to: fixture.log, clock: fixture.clock, seed: 9)
        let queue = try DatabaseQueue(path: fixture.path)
        try await queue.writeWithoutTransaction { db in
            try db.execute(sql: "DROP TRIGGER event_refuse_delete")
            try db.execute(sql: "DELETE FROM event WHERE seq = 5")
        }
        await #expect {
            try await ProjectionRunner(log: fixture.log).catchUp()
        } throws: { error in
            guard let error = error as? ProjectionError else { return false }
            return error.seq == 6 && error.reason.contains("gap")
        }
    }

    @Test func aNewProjectorVersionRebuildsItsTableByItself() async throws {
        let fixture = try TemporaryLog()
        try LeadHistoryGenerator.write(leads: 50, to: fixture.log, clock: fixture.clock, seed: 11)
        let runner = try ProjectionRunner(log: fixture.log)
        try await runner.catchUp()
        let before = try readModelDump(runner.store)
        try await runner.store.database.write { db in
            try db.execute(sql: "UPDATE projection_checkpoint SET version = 0 WHERE name = 'retry_queue'")
            try db.execute(sql: "DELETE FROM retry_queue")
        }
        try await runner.catchUp()
        #expect(try readModelDump(runner.store) == before)
    }
}
