import Foundation
import GRDB
import LedgerCore
import LedgerStore
import LedgerTesting
import Testing

struct EventLogAppendTests {
    @Test func openedLogIsWALWithSynchronousFull() throws {
        let fixture = try TemporaryLog()
        let (journal, synchronous) = try fixture.log.database.write { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA synchronous"))
        }
        #expect(journal == "wal")
        #expect(synchronous == 2)
    }

    @Test func appendsGetConsecutiveSeqsLinkedByHash() throws {
        let fixture = try TemporaryLog()
        let receipt = try fixture.log.receive(sampleLead(at: fixture.clock.now()))
        #expect(receipt.seq == 1)
        #expect(!receipt.duplicate)
        let recorded = try fixture.log.append([
            PendingEvent(attempt(receipt.leadID, 1)), PendingEvent(attempt(receipt.leadID, 2)),
        ])
        #expect(recorded.map(\.seq) == [2, 3])
        #expect(recorded.map(\.version) == [2, 3])
        #expect(recorded[0].prevHash == receipt.hash)
        #expect(recorded[1].prevHash == recorded[0].hash)
        let all = try fixture.log.events(EventQuery())
        #expect(all.first?.prevHash == EventHasher.genesis)
        for event in all { #expect(event.hash == event.computedHash()) }
    }

    @Test func aBatchCommitsWhollyOrNotAtAll() throws {
        let fixture = try TemporaryLog()
        let lead = try fixture.log.receive(sampleLead(at: fixture.clock.now())).leadID
        #expect(throws: StoreError.self) {
            try fixture.log.append([
                PendingEvent(attempt(lead, 1)),
                PendingEvent(attempt(lead, 2), expected: .exactly(99)),
            ])
        }
        #expect(try fixture.log.count() == 1)
    }

    @Test func expectedVersionDetectsAConcurrentWriter() throws {
        let fixture = try TemporaryLog()
        let lead = try fixture.log.receive(sampleLead(at: fixture.clock.now())).leadID
        try fixture.log.append(attempt(lead, 1), expected: .exactly(1))
        #expect {
            try fixture.log.append(attempt(lead, 2), expected: .exactly(1))
        } throws: { ($0 as? StoreError)?.code == .versionConflict }
    }

    @Test func eventsForALeadThatWasNeverReceivedAreRefused() throws {
        let fixture = try TemporaryLog()
        let stranger = LeadID.make(at: fixture.clock.now())
        #expect {
            try fixture.log.append(attempt(stranger))
        } throws: { ($0 as? StoreError)?.code == .notFound }
        #expect(try fixture.log.count() == 0)
    }

    @Test func invalidEventsNeverReachTheLog() throws {
        let fixture = try TemporaryLog()
        let lead = try fixture.log.receive(sampleLead(at: fixture.clock.now())).leadID
        let bad = LedgerEvent.syncAttempted(SyncAttempted(leadID: lead, attempt: 0, attemptID: "x", target: .amocrm))
        #expect { try fixture.log.append(bad) } throws: { ($0 as? StoreError)?.code == .invalidEvent }
        #expect(try fixture.log.count() == 1)
    }

    @Test func appendBatchSizeLimitHoldsOnBothSides() throws {
        var options = EventLogOptions()
        options.maxEventsPerAppend = 3
        let fixture = try TemporaryLog(options: options)
        let lead = try fixture.log.receive(sampleLead(at: fixture.clock.now())).leadID
        #expect(try fixture.log.append((1...3).map { PendingEvent(attempt(lead, $0)) }).count == 3)
        #expect { try fixture.log.append((4...7).map { PendingEvent(attempt(lead, $0)) }) } throws: {
            ($0 as? StoreError)?.code == .invalidEvent
        }
        #expect(try fixture.log.count() == 4)
    }

    @Test func updateAndDeleteOnTheEventTableFail() throws {
        let fixture = try TemporaryLog()
        _ = try fixture.log.receive(sampleLead(at: fixture.clock.now()))
        #expect(throws: DatabaseError.self) {
            try fixture.log.database.write { try $0.execute(sql: "UPDATE event SET data = '{}' WHERE seq = 1") }
        }
        #expect(throws: DatabaseError.self) {
            try fixture.log.database.write { try $0.execute(sql: "DELETE FROM event WHERE seq = 1") }
        }
        #expect(try fixture.log.verify().isIntact)
    }

    @Test func aLogFromANewerBinaryIsRefusedWithAClearError() throws {
        let fixture = try TemporaryLog()
        try fixture.log.database.write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('2099-01-01-from-the-future')")
        }
        #expect {
            _ = try EventLog.open(path: fixture.path)
        } throws: { error in
            guard let error = error as? StoreError else { return false }
            return error.code == .schemaTooNew && error.message.contains("2099-01-01-from-the-future")
        }
    }

    @Test func reopeningKeepsTheChainGoing() throws {
        let fixture = try TemporaryLog()
        let first = try fixture.log.receive(sampleLead(1, at: fixture.clock.now()))
        let reopened = try EventLog.open(path: fixture.path, clock: fixture.clock)
        let second = try reopened.receive(sampleLead(2, at: fixture.clock.now()))
        #expect(second.seq == first.seq + 1)
        #expect(try reopened.verify().isIntact)
    }
}
