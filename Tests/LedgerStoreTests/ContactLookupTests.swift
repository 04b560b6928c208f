import Foundation
import GRDB
import LedgerCore
import LedgerStore
import LedgerTesting
import Testing

/// Deduplication by contact works on keyed fingerprints kept outside the event table; erasure removes them.
struct ContactLookupTests {
    @Test func aLeadIsFoundByItsPhoneOrItsEmail() throws {
        let fixture = try TemporaryLog()
        let start = fixture.clock.now()
        let lead = try fixture.log.receive(sampleLead(7, at: start)).leadID
        _ = try fixture.log.receive(sampleLead(8, at: start))
        #expect(try fixture.log.leads(matchingPhone: "+79165550007", email: nil, since: start) == [lead])
        #expect(try fixture.log.leads(matchingPhone: nil, email: "IVAN7@example.ru", since: start) == [lead])
        #expect(try fixture.log.leads(matchingPhone: "+79165550009", email: "nobody@example.ru", since: start).isEmpty)
    }

    @Test func theWindowExcludesOlderLeads() throws {
        let fixture = try TemporaryLog()
        let start = fixture.clock.now()
        _ = try fixture.log.receive(sampleLead(7, at: start))
        fixture.clock.advance(milliseconds: 10_001)
        let later = fixture.clock.now()
        #expect(
            try fixture.log.leads(matchingPhone: "+79165550007", email: nil, since: later.adding(milliseconds: -10_000)).isEmpty)
        #expect(
            try fixture.log.leads(matchingPhone: "+79165550007", email: nil, since: later.adding(milliseconds: -10_001)).count
                == 1)
    }

    @Test func theScanIsBoundedOnBothSidesOfItsLimit() throws {
        let fixture = try TemporaryLog()
        let start = fixture.clock.now()
        let oldest = try fixture.log.receive(sampleLead(7, at: start)).leadID
        for number in 1...19 {
            _ = try fixture.log.receive(sampleLead(100 + number, at: start.adding(milliseconds: Int64(number))))
        }
        #expect(try fixture.log.leads(matchingPhone: "+79165550007", email: nil, since: start, maxScan: 19).isEmpty)
        #expect(try fixture.log.leads(matchingPhone: "+79165550007", email: nil, since: start, maxScan: 20) == [oldest])
    }

    @Test func neitherTheEventNorTheFileHoldsTheContactInClear() throws {
        let fixture = try TemporaryLog()
        _ = try fixture.log.receive(sampleLead(7, at: fixture.clock.now()))
        try fixture.log.checkpointTruncate()
        let bytes = try Data(contentsOf: URL(fileURLWithPath: fixture.path))
        #expect(bytes.range(of: Data("79165550007".utf8)) == nil)
        #expect(bytes.range(of: Data("ivan7@example.ru".utf8)) == nil)
        #expect(try fixture.log.events(EventQuery()).allSatisfy { !$0.data.contains("hash") })
    }

    @Test func anErasedLeadNoLongerMatchesAndLeavesNoFingerprint() throws {
        let fixture = try TemporaryLog()
        let start = fixture.clock.now()
        let lead = try fixture.log.receive(sampleLead(7, at: start)).leadID
        _ = try fixture.log.erase(lead, reason: "consent withdrawn")
        #expect(try fixture.log.leads(matchingPhone: "+79165550007", email: "ivan7@example.ru", since: start).isEmpty)
        let left = try fixture.log.database.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM lead_key WHERE lead_id = ?", arguments: [lead.description])
        }
        #expect(left == 0)
    }
}
