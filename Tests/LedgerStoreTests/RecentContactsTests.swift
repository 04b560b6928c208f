import Foundation
import GRDB
import LedgerCore
import LedgerTesting
import Testing

@testable import LedgerStore

/// Live double-submission checks answer from the recent contacts kept in memory; the log stays the truth. These
/// prove the memory never disagrees with the log: other writers, erasure, rollback and a full ring.
struct RecentContactsTests {
    private func lead(_ number: Int, at time: Timestamp, window: Int64 = 10) -> NewLead {
        var lead = sampleLead(number, at: time)
        lead.duplicateWindowStart = time.adding(seconds: -window)
        return lead
    }

    @Test func aLeadAnotherProcessWroteIsADoubleSubmissionsOriginal() throws {
        let fixture = try TemporaryLog()
        let start = fixture.clock.now()
        _ = try fixture.log.receive(lead(1, at: start))  // this process now remembers the log up to here
        let other = try EventLog.open(path: fixture.path)
        let first = try other.receive(lead(7, at: start.adding(milliseconds: 10)))
        let again = try fixture.log.receive(lead(7, at: start.adding(milliseconds: 20)))
        #expect(again.duplicateReason == .doubleSubmission)
        #expect(again.leadID == first.leadID)
        #expect(try fixture.log.count() == 2)
    }

    @Test func aRememberedLeadErasedByAnotherProcessIsNotMatched() throws {
        let fixture = try TemporaryLog()
        let start = fixture.clock.now()
        let first = try fixture.log.receive(lead(7, at: start))
        _ = try EventLog.open(path: fixture.path).erase(first.leadID, reason: "consent withdrawn")
        let again = try fixture.log.receive(lead(7, at: start.adding(milliseconds: 5)))
        #expect(!again.duplicate)
    }

    @Test func aBatchThatRolledBackLeavesNoOriginalBehind() throws {
        let fixture = try TemporaryLog()
        let start = fixture.clock.now()
        let existing = try fixture.log.receive(lead(1, at: start))
        var clash = lead(8, at: start.adding(milliseconds: 1))
        clash.leadID = existing.leadID  // a second LeadReceived on a stream that has one: the whole batch fails
        #expect(throws: StoreError.self) {
            try fixture.log.receive([lead(7, at: start.adding(milliseconds: 1)), clash])
        }
        let retry = try fixture.log.receive(lead(7, at: start.adding(milliseconds: 2)))
        #expect(!retry.duplicate)
        #expect(try fixture.log.count() == 2)
    }

    @Test func aWindowReachingPastTheRingIsAnsweredFromTheLog() throws {
        var options = EventLogOptions()
        options.recentContactCapacity = 4  // two leads' phone and email
        let fixture = try TemporaryLog(options: options)
        let start = fixture.clock.now()
        let first = try fixture.log.receive(lead(7, at: start))
        for number in 1...5 { _ = try fixture.log.receive(lead(number + 10, at: start.adding(milliseconds: Int64(number)))) }
        let again = try fixture.log.receive(lead(7, at: start.adding(milliseconds: 9)))
        #expect(again.duplicateReason == .doubleSubmission)
        #expect(again.leadID == first.leadID)
    }

    /// The ring is what answers a live window: the bounded scan, which a closed window still uses, reads only the
    /// newest `maxPageSize` leads of the window and misses an original further back.
    @Test func theRingFindsAnOriginalTheBoundedScanWouldMiss() throws {
        var options = EventLogOptions()
        options.maxPageSize = 2
        let fixture = try TemporaryLog(options: options)
        let start = fixture.clock.now()
        let first = try fixture.log.receive(lead(7, at: start))
        for number in 1...3 { _ = try fixture.log.receive(lead(number + 10, at: start.adding(milliseconds: Int64(number)))) }
        let live = try fixture.log.receive(lead(7, at: start.adding(milliseconds: 5)))
        #expect(live.duplicateReason == .doubleSubmission)
        #expect(live.leadID == first.leadID)
        var closed = lead(7, at: start.adding(milliseconds: 6))
        closed.duplicateWindowEnd = start.adding(milliseconds: 6)
        #expect(try !fixture.log.receive(closed).duplicate, "the scan stops after the two newest leads")
    }

    /// What other processes appended is read back event by event up to `recentContactCatchUp` events; a longer gap
    /// reloads the ring from `lead_key`. Both sides of the limit find the original.
    @Test func anotherWritersEventsAreReadBackOrReloadedAndTheOriginalIsFoundEitherWay() throws {
        var options = EventLogOptions()
        options.recentContactCatchUp = 3
        let fixture = try TemporaryLog(options: options)
        let start = fixture.clock.now()
        _ = try fixture.log.receive(lead(1, at: start))
        let other = try EventLog.open(path: fixture.path)
        let near = try other.receive(lead(7, at: start.adding(milliseconds: 1)))  // a gap of 1 event: read back
        #expect(try fixture.log.receive(lead(7, at: start.adding(milliseconds: 2))).leadID == near.leadID)
        for number in 20..<24 { _ = try other.receive(lead(number, at: start.adding(milliseconds: Int64(number)))) }
        let far = try other.receive(lead(8, at: start.adding(milliseconds: 30)))  // a gap of 5 events: reloaded
        let again = try fixture.log.receive(lead(8, at: start.adding(milliseconds: 31)))
        #expect(again.duplicateReason == .doubleSubmission)
        #expect(again.leadID == far.leadID)
    }

    @Test func theLogHasNoIndexOfContactFingerprints() throws {
        let fixture = try TemporaryLog()
        let indexed = try fixture.log.database.read { db in
            try String.fetchAll(
                db, sql: "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'lead_key' AND sql IS NOT NULL")
        }
        #expect(indexed.isEmpty, "every commit would write a random index page per contact")
    }
}

/// The ring alone: its bound, its horizon and its per-contact chains.
struct RecentContactRingTests {
    private func contact(_ key: UInt64, _ millis: Int64) -> RecentContactRing.Contact {
        .init(key: key, lead: LeadID.make(at: Timestamp(millisecondsSinceEpoch: millis)), millis: millis)
    }

    @Test func aContactsLeadsComeNewestFirstAndStopAtTheSinceInstant() {
        var ring = RecentContactRing(capacity: 10, horizon: 0, coveredSeq: 0)
        let contacts = [contact(1, 100), contact(2, 110), contact(1, 120), contact(1, 130)]
        for item in contacts { ring.append(item) }
        #expect(ring.leads(key: 1, since: 110, limit: 10) == [contacts[3].lead, contacts[2].lead])
        #expect(ring.leads(key: 1, since: 0, limit: 2) == [contacts[3].lead, contacts[2].lead])
        #expect(ring.leads(key: 3, since: 0, limit: 10).isEmpty)
    }

    @Test func aFullRingForgetsItsOldestAndRaisesItsHorizonPastThem() {
        var ring = RecentContactRing(capacity: 2, horizon: 0, coveredSeq: 0)
        let contacts = [contact(1, 100), contact(2, 110), contact(1, 120)]
        for item in contacts { ring.append(item) }
        #expect(ring.count == 2)
        #expect(ring.horizon == 101)
        #expect(ring.leads(key: 1, since: 0, limit: 10) == [contacts[2].lead])
        // Wrapped around many times: still bounded, still the newest.
        for millis in Int64(200)..<Int64(260) { ring.append(contact(UInt64(millis % 3), millis)) }
        #expect(ring.count == 2)
        #expect(ring.horizon == 258)
        #expect(ring.leads(key: 1, since: 0, limit: 10).count == 1)
    }

    @Test func evictionByAgeRaisesTheHorizonAndAContactOlderThanItIsNotKept() {
        var ring = RecentContactRing(capacity: 10, horizon: 0, coveredSeq: 0)
        for millis in [Int64(100), 200, 300] { ring.append(contact(5, millis)) }
        ring.evict(olderThan: 250)
        #expect(ring.count == 1)
        #expect(ring.horizon == 201)
        ring.append(contact(5, 150))
        #expect(ring.count == 1)
    }

    @Test func theKeyIsTheFingerprintsFirstSixtyFourBits() {
        #expect(RecentContactRing.key(String(repeating: "ab", count: 32)) == 0xabab_abab_abab_abab)
        #expect(RecentContactRing.key("xyz") == nil)
        #expect(RecentContactRing.key(nil) == nil)
        let lead = LeadID.make(at: Timestamp(millisecondsSinceEpoch: 1_795_000_123_456))
        #expect(RecentContactRing.millis(lead) == 1_795_000_123_456)
    }
}
