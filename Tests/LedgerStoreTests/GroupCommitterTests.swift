import Foundation
import GRDB
import LedgerCore
import LedgerStore
import LedgerTesting
import Testing

/// Serialized: the gate parks the writer thread, and the tests poll for it without blocking the cooperative pool.
@Suite(.serialized)
struct GroupCommitterTests {
    /// Holds the writer thread in its first commit until released, so the test controls what queues up behind it.
    final class Gate: @unchecked Sendable {
        // @unchecked Sendable because `held` and `releasedFlag` are only touched under `condition`.
        private let condition = NSCondition()
        private var held = false
        private var releasedFlag = false
        private(set) var sizes: [Int] = []

        func beforeCommit(_ size: Int) {
            condition.lock()
            sizes.append(size)
            held = true
            condition.broadcast()
            while !releasedFlag { condition.wait() }
            condition.unlock()
        }

        var isHeld: Bool {
            condition.lock()
            defer { condition.unlock() }
            return held
        }

        func release() {
            condition.lock()
            releasedFlag = true
            condition.broadcast()
            condition.unlock()
        }

        var batchSizes: [Int] {
            condition.lock()
            defer { condition.unlock() }
            return sizes
        }
    }

    @Test func leadsQueuedBehindACommitShareTheNextTransaction() async throws {
        let fixture = try TemporaryLog()
        let (committer, gate, tasks) = try await heldWriter(fixture, queued: 40)
        gate.release()
        var receipts: [LeadReceipt] = []
        for task in tasks { receipts.append(try await task.value) }

        #expect(gate.batchSizes == [1, 40])
        #expect(committer.statistics.batches == 2)
        #expect(Set(receipts.map(\.seq)) == Set(1...41))
        #expect(try fixture.log.verify().isIntact)
        committer.shutdown()
    }

    /// The writer is held just before its commit: the caller must still be waiting, and must get its receipt only
    /// after the commit, matching the event then in the log.
    @Test func aReceiptIsReturnedOnlyAfterTheBatchIsInTheLog() async throws {
        let fixture = try TemporaryLog()
        let gate = Gate()
        let committer = GroupCommitter(log: fixture.log, beforeCommit: { gate.beforeCommit($0) })
        let answered = Answered()
        let task = Task {
            let receipt = try await committer.receive(sampleLead(0, at: fixture.clock.now()))
            answered.set()
            return receipt
        }
        try await waitUntil { gate.isHeld }
        try await Task.sleep(for: .milliseconds(100))
        #expect(!answered.value)
        #expect(try fixture.log.count() == 0)
        gate.release()
        let receipt = try await task.value
        let stored = try fixture.log.events(EventQuery(afterSeq: receipt.seq - 1, limit: 1)).first
        #expect(stored?.hash == receipt.hash)
        #expect(stored?.stream == receipt.leadID.description)
        committer.shutdown()
    }

    @Test func twoHundredConcurrentCallersEachGetTheirOwnDurableReceipt() async throws {
        let fixture = try TemporaryLog()
        let committer = GroupCommitter(log: fixture.log)
        let receipts = try await withThrowingTaskGroup(of: LeadReceipt.self) { group in
            for number in 0..<200 {
                group.addTask { try await committer.receive(sampleLead(number, at: fixture.clock.now())) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(receipts.count == 200)
        #expect(Set(receipts.map(\.leadID)).count == 200)
        for receipt in receipts {
            let stored = try fixture.log.events(EventQuery(afterSeq: receipt.seq - 1, limit: 1)).first
            #expect(stored?.hash == receipt.hash)
            #expect(stored?.stream == receipt.leadID.description)
        }
        #expect(committer.statistics.leads == 200)
        committer.shutdown()
    }

    @Test func aFullQueueRefusesAtOnceInsteadOfGrowing() async throws {
        let fixture = try TemporaryLog()
        let (committer, gate, tasks) = try await heldWriter(fixture, queued: 3, limits: .init(maxBatch: 10, maxQueued: 3))
        await #expect(throws: GroupCommitError.overloaded(queued: 3)) {
            try await committer.receive(sampleLead(4, at: fixture.clock.now()))
        }
        gate.release()
        for task in tasks { _ = try await task.value }
        #expect(try fixture.log.count() == 4)
        committer.shutdown()
    }

    @Test func aStorageFailureFailsTheWholeBatchAndWritesNothingOfIt() async throws {
        let fixture = try TemporaryLog()
        _ = try fixture.log.receive(sampleLead(0, at: fixture.clock.now()))
        let pages = try await fixture.log.database.write { db in try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0 }
        try await fixture.log.database.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA max_page_count = \(pages)") }
        let committer = GroupCommitter(log: fixture.log)
        var failures = 0
        for number in 1...200 {
            do {
                _ = try await committer.receive(sampleLead(number, at: fixture.clock.now()))
            } catch let error as StoreError {
                #expect(error.isStorageUnavailable)
                failures += 1
            }
        }
        #expect(failures > 0)
        #expect(try fixture.log.count() == Int64(1 + 200 - failures))
        #expect(try fixture.log.verify().isIntact)
        committer.shutdown()
    }

    /// Preparing happens in the caller, before the lead is queued: a lead the log refuses fails alone, and the leads
    /// queued beside it still share one commit.
    @Test func aLeadThatCannotBePreparedFailsAloneAndItsNeighboursCommit() async throws {
        let fixture = try TemporaryLog()
        let (committer, gate, tasks) = try await heldWriter(fixture, queued: 5)
        var invalid = sampleLead(6, at: fixture.clock.now())
        invalid.formID = String(repeating: "f", count: FieldLimits.shortText + 1)
        await #expect {
            try await committer.receive(invalid)
        } throws: { error in
            (error as? StoreError)?.code == .invalidEvent
        }
        #expect(committer.queued == 5)
        gate.release()
        for task in tasks { _ = try await task.value }
        #expect(gate.batchSizes == [1, 5])
        #expect(try fixture.log.count() == 6)
        committer.shutdown()
    }

    @Test func afterShutdownNewLeadsAreRefused() async throws {
        let fixture = try TemporaryLog()
        let committer = GroupCommitter(log: fixture.log)
        _ = try await committer.receive(sampleLead(0, at: fixture.clock.now()))
        committer.shutdown()
        await #expect(throws: GroupCommitError.shuttingDown) {
            try await committer.receive(sampleLead(1, at: fixture.clock.now()))
        }
    }

    // MARK: - Helpers

    /// A committer whose writer is held in its first commit (lead 0), with leads 1...`queued` waiting behind it; the
    /// tasks of all of them, lead 0 first. The test releases the gate.
    private func heldWriter(_ fixture: TemporaryLog, queued: Int, limits: GroupCommitter.Limits = .init()) async throws
        -> (GroupCommitter, Gate, [Task<LeadReceipt, any Error>])
    {
        let gate = Gate()
        let committer = GroupCommitter(log: fixture.log, limits: limits, beforeCommit: { gate.beforeCommit($0) })
        let now = fixture.clock.now()
        let first = Task { try await committer.receive(sampleLead(0, at: now)) }
        try await waitUntil { gate.isHeld }
        let rest = (1...queued).map { number in Task { try await committer.receive(sampleLead(number, at: now)) } }
        try await waitUntil { committer.queued == queued }
        return (committer, gate, [first] + rest)
    }

    final class Answered: @unchecked Sendable {
        // @unchecked Sendable because `flag` is only touched under `lock`.
        private let lock = NSLock()
        private var flag = false
        func set() { lock.withLock { flag = true } }
        var value: Bool { lock.withLock { flag } }
    }

    private func waitUntil(_ condition: @Sendable () -> Bool) async throws {
        for _ in 0..<2000 where !condition() { try await Task.sleep(for: .milliseconds(5)) }
        #expect(condition(), "condition not reached within 10 s")
    }
}
