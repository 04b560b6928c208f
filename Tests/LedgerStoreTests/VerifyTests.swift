import Foundation
import GRDB
import LedgerCore
import LedgerStore
import LedgerTesting
import Testing

/// Tampering is done the way an attacker with file access would: open the file with plain SQLite, drop the
/// append-only trigger, change the row, and (optionally) put the trigger back.
struct VerifyTests {
    private func populatedLog() throws -> TemporaryLog {
        let fixture = try TemporaryLog()
        try LeadHistoryGenerator.write(leads: 60, to: fixture.log, clock: fixture.clock, seed: 3)
        return fixture
    }

    private func tamper(_ path: String, restoreTrigger: Bool = true, _ sql: String) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { db in
            let trigger = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'event_refuse_update'")
            try db.execute(sql: "DROP TRIGGER event_refuse_update")
            try db.execute(sql: "DROP TRIGGER event_refuse_delete")
            try db.execute(sql: sql)
            if restoreTrigger, let trigger {
                try db.execute(sql: trigger)
                try db.execute(
                    sql:
                        "CREATE TRIGGER event_refuse_delete BEFORE DELETE ON event BEGIN SELECT RAISE(ABORT, 'the event log is append-only: DELETE refused'); END"
                )
            }
        }
    }

    @Test func anUntouchedLogVerifies() throws {
        let fixture = try populatedLog()
        let report = try fixture.log.verify()
        #expect(report.isIntact)
        #expect(report.eventsChecked == (try fixture.log.count()))
        #expect(report.head == (try fixture.log.head()))
    }

    @Test func oneChangedByteOfDataIsCaughtAtItsSeq() throws {
        let fixture = try populatedLog()
        // Change one character of a SyncFailed message, keep the JSON valid.
        let seq = try #require(try fixture.log.events(EventQuery(type: .syncFailed, limit: 1)).first?.seq)
        try tamper(fixture.path, "UPDATE event SET data = replace(data, 'Bad Gateway', 'Bad Gatewax') WHERE seq = \(seq)")
        let report = try fixture.log.verify()
        #expect(report.problem?.seq == seq)
        #expect(report.problem?.reason.contains("hash mismatch") == true)
        #expect(report.eventsChecked == seq - 1)
    }

    @Test func aRecomputedHashStillBreaksTheNextLink() throws {
        let fixture = try populatedLog()
        let target = try #require(try fixture.log.events(EventQuery(afterSeq: 9, limit: 1)).first)
        let forgedData = target.data.replacingOccurrences(of: "amocrm", with: "amocrm")  // same body, new recorded_at
        var forged = target
        forged.data = forgedData
        forged.recordedAt = target.recordedAt.adding(milliseconds: 1)
        let forgedHash = forged.computedHash()
        try tamper(
            fixture.path,
            "UPDATE event SET recorded_at = \(forged.recordedAt.millisecondsSinceEpoch), hash = '\(forgedHash)' WHERE seq = \(target.seq)"
        )
        let report = try fixture.log.verify()
        #expect(report.problem?.seq == target.seq + 1)
        #expect(report.problem?.reason.contains("prev_hash") == true)
    }

    @Test func aDeletedEventIsReportedAsAGap() throws {
        let fixture = try populatedLog()
        try tamper(fixture.path, "DELETE FROM event WHERE seq = 20")
        let report = try fixture.log.verify()
        #expect(report.problem?.seq == 21)
        #expect(report.problem?.reason.contains("missing") == true)
    }

    @Test func aDroppedTriggerAloneFailsVerification() throws {
        let fixture = try populatedLog()
        try tamper(fixture.path, restoreTrigger: false, "SELECT 1")
        let report = try fixture.log.verify()
        #expect(!report.isIntact)
        #expect(report.problem?.seq == nil)
        #expect(report.problem?.reason.contains("trigger") == true)
    }

    @Test func aBodyOutsideTheSchemaIsCaughtEvenWithAValidHash() throws {
        // An insider who recomputes the whole chain from the tampered event on still cannot add a field the schema
        // does not know: strict decoding refuses it.
        let fixture = try TemporaryLog()
        let lead = try fixture.log.receive(sampleLead(at: fixture.clock.now())).leadID
        try fixture.log.append(attempt(lead))
        let event = try #require(try fixture.log.events(EventQuery(afterSeq: 1)).first)
        var forged = event
        forged.data = event.data.replacingOccurrences(of: #""attempt":1"#, with: #""attempt":1,"extra":1"#)
        let hash = forged.computedHash()
        let escaped = forged.data.replacingOccurrences(of: "'", with: "''")
        try tamper(fixture.path, "UPDATE event SET data = '\(escaped)', hash = '\(hash)' WHERE seq = 2")
        let report = try fixture.log.verify()
        #expect(report.problem?.seq == 2)
        #expect(report.problem?.reason.contains("outside the schema") == true)
    }
}
