import Foundation
import LedgerCore
import LedgerStore
import LedgerTesting
import Testing

/// Leads received with a time in the past (import): their ids, their duplicate window, and the dry run's rehearsal.
struct ImportedLeadWindowTests {
    private static let week: Int64 = 7 * 24 * 3600

    /// A lead as `import` hands it over: id minted at its original time, window closed at both ends around it.
    private func imported(_ number: Int, at time: Timestamp, window: Int64 = 600, form: String? = "main") -> NewLead {
        var lead = sampleLead(number, at: time)
        lead.origin = .import
        lead.formID = form
        lead.duplicateWindowStart = time.adding(seconds: -window)
        lead.duplicateWindowEnd = time.adding(seconds: window)
        return lead
    }

    /// A live form post now, with the endpoint's window (the last 10 s, open-ended).
    private func live(_ number: Int, at now: Timestamp) -> NewLead {
        var lead = sampleLead(number, at: now)
        lead.duplicateWindowStart = now.adding(seconds: -10)
        return lead
    }

    @Test func anImportedLeadKeepsItsOriginalTimeAndItsIdSortsThere() throws {
        let fixture = try TemporaryLog()
        let lastWeek = fixture.clock.now().adding(seconds: -Self.week)
        let receipt = try fixture.log.receive(imported(1, at: lastWeek))
        let event = try #require(try fixture.log.events(EventQuery(type: .leadReceived, limit: 10)).first)
        guard case .leadReceived(let received) = try event.decode() else {
            Issue.record("not a LeadReceived")
            return
        }
        #expect(received.receivedAt == lastWeek)
        #expect(received.origin == .import)
        #expect(receipt.leadID.description.hasPrefix(LeadID.lowerBound(at: lastWeek)))
        #expect(event.recordedAt == fixture.clock.now(), "recorded now, received then")
    }

    @Test func theWindowIsAroundTheRowsTimeNotAroundNow() throws {
        let fixture = try TemporaryLog()
        let now = fixture.clock.now()
        let lastWeek = now.adding(seconds: -Self.week)
        _ = try fixture.log.receive(imported(1, at: lastWeek))
        // The same person and form five minutes later, last week: the same lead.
        #expect(try fixture.log.receive(imported(1, at: lastWeek.adding(seconds: 300))).duplicateReason == .doubleSubmission)
        // Five minutes earlier too: the window has two sides.
        #expect(try fixture.log.receive(imported(1, at: lastWeek.adding(seconds: -300))).duplicateReason == .doubleSubmission)
        // Twenty minutes later is another lead; so is the same time on another form.
        #expect(try !fixture.log.receive(imported(1, at: lastWeek.adding(seconds: 1200))).duplicate)
        #expect(try !fixture.log.receive(imported(1, at: lastWeek, form: "other")).duplicate)
        #expect(try fixture.log.count() == 3)
    }

    @Test func aLeadFromLastWeekDoesNotSwallowTodaysLeadsNorIsSwallowedByThem() throws {
        let fixture = try TemporaryLog()
        let now = fixture.clock.now()
        let today = try fixture.log.receive(live(1, at: now.adding(seconds: -5)))
        // Imported after today's lead was recorded: an open-ended window from last week would reach today's lead.
        #expect(try !fixture.log.receive(imported(1, at: now.adding(seconds: -Self.week))).duplicate)
        // A live post now is compared with the last 10 s only: last week's imported lead is not its double click.
        let again = try fixture.log.receive(live(1, at: now))
        #expect(again.duplicateReason == .doubleSubmission)
        #expect(again.leadID == today.leadID, "the live double click matches the live lead, not the imported one")
    }

    @Test func theRowsOwnInstantAlwaysCountsSoASecondImportFindsItWithoutAWindow() throws {
        let fixture = try TemporaryLog()
        let lastYear = fixture.clock.now().adding(seconds: -365 * 24 * 3600)
        let first = try fixture.log.receive(imported(1, at: lastYear, window: 0))
        let second = try fixture.log.receive(imported(1, at: lastYear, window: 0))
        #expect(second.duplicateReason == .doubleSubmission)
        #expect(second.leadID == first.leadID)
        #expect(try !fixture.log.receive(imported(1, at: lastYear.adding(milliseconds: 1), window: 0)).duplicate)
    }

    @Test func theRehearsalAnswersWhatReceiveDoesAndWritesNothing() async throws {
        let fixture = try TemporaryLog()
        let now = fixture.clock.now()
        let base = now.adding(seconds: -Self.week)
        _ = try fixture.log.receive(imported(1, at: base))
        _ = try fixture.log.receive(sampleLead(9, at: now, key: "order-9"))
        func batch() -> [NewLead] {
            var keyed = imported(5, at: base.adding(seconds: 7200))
            keyed.idempotencyKey = "order-9"
            var keyedTwice = imported(6, at: base.adding(seconds: 9000))
            keyedTwice.idempotencyKey = "file-key"
            var keyedAgain = imported(7, at: base.adding(seconds: 9900))
            keyedAgain.idempotencyKey = "file-key"
            return [
                imported(1, at: base.adding(seconds: 60)),  // the log's lead, within the window
                imported(2, at: base),  // new
                imported(2, at: base.adding(seconds: 599)),  // the row before it, within the window
                imported(2, at: base.adding(seconds: 1300)),  // new: outside the window
                keyed,  // the key is in the log
                keyedTwice,  // new
                keyedAgain,  // its key came earlier in this run
                imported(3, at: base, form: nil),
            ]
        }
        let head = try fixture.log.head()
        var rehearsal = ReceiveRehearsal()
        let rehearsed =
            try await rehearsal.rehearse(Array(batch().prefix(3)), on: fixture.log)
            + rehearsal.rehearse(Array(batch().dropFirst(3)), on: fixture.log)
        #expect(try fixture.log.head() == head, "a rehearsal writes nothing")
        let received = try fixture.log.receive(Array(batch().prefix(3))) + fixture.log.receive(Array(batch().dropFirst(3)))
        #expect(rehearsed == received.map(\.duplicateReason))
        #expect(rehearsed == [.doubleSubmission, nil, .doubleSubmission, nil, .idempotencyKey, nil, .idempotencyKey, nil])
    }
}
