import Foundation
import LedgerCore
import LedgerStore
import LedgerTesting
import Testing

struct IdempotencyTests {
    @Test func repeatedKeyReturnsTheOriginalReceiptWithoutWriting() throws {
        let fixture = try TemporaryLog()
        let original = try fixture.log.receive(sampleLead(1, at: fixture.clock.now(), key: "key-1"))
        let again = try fixture.log.receive(sampleLead(2, at: fixture.clock.now(), key: "key-1"))
        #expect(again.duplicate)
        #expect(again.leadID == original.leadID)
        #expect(again.seq == original.seq)
        #expect(again.hash == original.hash)
        #expect(try fixture.log.count() == 1)
        #expect(try fixture.log.receipt(forIdempotencyKey: "key-1")?.leadID == original.leadID)
        #expect(try fixture.log.receipt(forIdempotencyKey: "key-2") == nil)
    }

    @Test func repeatedKeyInsideOneBatchIsWrittenOnce() throws {
        let fixture = try TemporaryLog()
        let receipts = try fixture.log.receive([
            sampleLead(1, at: fixture.clock.now(), key: "same"), sampleLead(2, at: fixture.clock.now(), key: "other"),
            sampleLead(3, at: fixture.clock.now(), key: "same"),
        ])
        #expect(receipts.map(\.duplicate) == [false, false, true])
        #expect(receipts[2].leadID == receipts[0].leadID)
        #expect(try fixture.log.count() == 2)
    }

    @Test func keyStaysUniqueAcrossRestartsAndTime() throws {
        let fixture = try TemporaryLog()
        let original = try fixture.log.receive(sampleLead(1, at: fixture.clock.now(), key: "forever"))
        fixture.clock.advance(milliseconds: 400 * 86_400_000)
        let reopened = try EventLog.open(path: fixture.path, clock: fixture.clock)
        let again = try reopened.receive(sampleLead(2, at: fixture.clock.now(), key: "forever"))
        #expect(again.duplicate)
        #expect(again.leadID == original.leadID)
        #expect(try reopened.count() == 1)
    }

    @Test func leadsWithoutKeysAreAlwaysNew() throws {
        let fixture = try TemporaryLog()
        let first = try fixture.log.receive(sampleLead(1, at: fixture.clock.now()))
        let second = try fixture.log.receive(sampleLead(1, at: fixture.clock.now()))
        #expect(first.leadID != second.leadID)
        #expect(try fixture.log.count() == 2)
    }

    @Test func concurrentSubmissionsOfOneKeyYieldOneLead() throws {
        let fixture = try TemporaryLog()
        let log = fixture.log
        let now = fixture.clock.now()
        let ids = Locked<[LeadID]>([])
        DispatchQueue.concurrentPerform(iterations: 50) { number in
            if let receipt = try? log.receive(sampleLead(number, at: now, key: "clicked-twice")) {
                ids.mutate { $0.append(receipt.leadID) }
            }
        }
        #expect(ids.value.count == 50)
        #expect(Set(ids.value).count == 1)
        #expect(try log.count() == 1)
    }
}

/// A value shared by concurrent test workers.
final class Locked<Value>: @unchecked Sendable {
    // @unchecked Sendable because every access goes through `lock`.
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value { lock.withLock { stored } }
    func mutate(_ body: (inout Value) -> Void) { lock.withLock { body(&stored) } }
}
