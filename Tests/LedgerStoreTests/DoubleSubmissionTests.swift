import Foundation
import LedgerCore
import LedgerStore
import LedgerTesting
import Testing

/// A double click (same contact, same form, within the window) is one lead, decided inside the receiving
/// transaction.
struct DoubleSubmissionTests {
    private func lead(_ number: Int, at time: Timestamp, form: String? = "main", window: Int64 = 10) -> NewLead {
        var lead = sampleLead(number, at: time)
        lead.formID = form
        lead.duplicateWindowStart = time.adding(seconds: -window)
        return lead
    }

    @Test func theSameContactAndFormWithinTheWindowGetsTheFirstReceipt() throws {
        let fixture = try TemporaryLog()
        let start = fixture.clock.now()
        let first = try fixture.log.receive(lead(7, at: start))
        let second = try fixture.log.receive(lead(7, at: start.adding(milliseconds: 9_999)))
        #expect(second.duplicateReason == .doubleSubmission)
        #expect(second.leadID == first.leadID)
        #expect(second.seq == first.seq)
        #expect(try fixture.log.count() == 1)
    }

    @Test func theWindowBoundaryAndTheFormDecide() throws {
        let fixture = try TemporaryLog()
        let start = fixture.clock.now()
        _ = try fixture.log.receive(lead(7, at: start))
        // Exactly 10 s later the first lead is still inside [now − 10 s, now]; 1 ms later it is not.
        #expect(try fixture.log.receive(lead(7, at: start.adding(milliseconds: 10_000))).duplicate)
        let outside = try fixture.log.receive(lead(7, at: start.adding(milliseconds: 20_001)))
        #expect(!outside.duplicate)
        #expect(try !fixture.log.receive(lead(7, at: start.adding(milliseconds: 20_002), form: "other")).duplicate)
        #expect(try !fixture.log.receive(lead(8, at: start.adding(milliseconds: 20_003))).duplicate)
        #expect(try fixture.log.count() == 4)
    }

    @Test func twoClicksInOneBatchWriteOneLead() throws {
        let fixture = try TemporaryLog()
        let now = fixture.clock.now()
        let receipts = try fixture.log.receive([lead(7, at: now), lead(7, at: now)])
        #expect(receipts.map(\.duplicate) == [false, true])
        #expect(receipts[1].leadID == receipts[0].leadID)
        #expect(try fixture.log.count() == 1)
    }

    @Test func withoutAWindowEverySubmissionIsANewLead() throws {
        let fixture = try TemporaryLog()
        let now = fixture.clock.now()
        _ = try fixture.log.receive(sampleLead(7, at: now))
        #expect(try !fixture.log.receive(sampleLead(7, at: now)).duplicate)
    }

    @Test func anErasedLeadIsNotMatched() throws {
        let fixture = try TemporaryLog()
        let start = fixture.clock.now()
        let first = try fixture.log.receive(lead(7, at: start))
        _ = try fixture.log.erase(first.leadID, reason: "consent withdrawn")
        #expect(try !fixture.log.receive(lead(7, at: start.adding(milliseconds: 1))).duplicate)
    }
}
