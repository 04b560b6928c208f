import Foundation
import LedgerCore
import LedgerStore
import LedgerTesting
import Testing

@testable import LedgerPostgres

/// Receiving leads is one contract on both backends: the same prepared leads, in the same batches, at the same
/// times, get the same receipts (written, or answered with an earlier lead's for a reused idempotency key or a
/// double submission), the same seqs and the same hashes, and leave two logs that verify to the same head.
@Suite(.serialized) struct ReceiveContractTests {
    /// A history that exercises every decision: a few contacts and forms (so doubles happen), reused keys (within a
    /// batch and across batches), spam that must never swallow a real lead, live windows and imported leads with
    /// closed windows in the past.
    static func history(seed: UInt64, leads: Int, start: Timestamp) -> [[NewLead]] {
        var random = SeededGenerator(seed: seed)
        var batches: [[NewLead]] = []
        var time = start
        var made = 0
        while made < leads {
            let size = min(leads - made, Int.random(in: 1...12, using: &random))
            var batch: [NewLead] = []
            for _ in 0..<size {
                time = time.adding(milliseconds: Int64.random(in: 0...4_000, using: &random))
                let contact = Int.random(in: 0..<6, using: &random)
                let imported = Int.random(in: 0..<8, using: &random) == 0
                let receivedAt = imported ? time.adding(seconds: -Int64.random(in: 1...600, using: &random)) : time
                var lead = NewLead(
                    leadID: LeadID.make(at: receivedAt, using: &random), receivedAt: receivedAt,
                    origin: imported ? .import : .http, formID: ["main", "callback", nil].randomElement(using: &random) ?? nil,
                    idempotencyKey: Int.random(in: 0..<4, using: &random) == 0
                        ? "key-\(Int.random(in: 0..<10, using: &random))" : nil,
                    personal: PersonalData(
                        name: "Лид \(made)", phone: contact < 4 ? "+7916555000\(contact)" : nil,
                        email: contact >= 2 ? "client\(contact)@example.ru" : nil),
                    spam: Int.random(in: 0..<10, using: &random) == 0 ? .honeypot : nil)
                if imported {
                    lead.duplicateWindowStart = receivedAt.adding(seconds: -120)
                    lead.duplicateWindowEnd = receivedAt.adding(seconds: 120)
                } else if Int.random(in: 0..<5, using: &random) > 0 {
                    lead.duplicateWindowStart = receivedAt.adding(seconds: -Int64.random(in: 5...60, using: &random))
                }
                batch.append(lead)
                made += 1
            }
            batches.append(batch)
        }
        return batches
    }

    /// The last case reads at most 2 candidates per batch on PostgreSQL, so most double submissions are decided by
    /// the exact per-lead question asked when the batch's read was cut short.
    @Test(arguments: zip([1, 2, 3, 4] as [UInt64], [10_000, 10_000, 10_000, 2]))
    func theSameBatchesGetTheSameReceiptsOnBothBackends(seed: UInt64, postgresPageSize: Int) async throws {
        let sqlite = try TemporaryLog(start: PostgresEventLogTests.start)
        let database = try await PostgresEventLogTests.server().makeDatabase()
        var options = PostgresEventLogTests.patientOptions
        options.maxPageSize = postgresPageSize
        let postgres = try await PostgresEventLogTests.open(database, clock: sqlite.clock, options: options)
        var decisions: [DuplicateReason?: Int] = [:]
        for batch in Self.history(seed: seed, leads: 240, start: PostgresEventLogTests.start) {
            let prepared = try batch.map { try sqlite.log.prepare($0) }
            let onSQLite = try sqlite.log.receive(prepared: prepared)
            let onPostgres = try await postgres.receive(prepared: prepared)
            #expect(onPostgres == onSQLite)
            for receipt in onSQLite { decisions[receipt.duplicateReason, default: 0] += 1 }
            sqlite.clock.advance(milliseconds: 250)
        }
        // The history is only a test of the contract if every decision happened in it.
        #expect(decisions[nil, default: 0] > 0)
        #expect(decisions[.idempotencyKey, default: 0] > 0)
        #expect(decisions[.doubleSubmission, default: 0] > 0)
        let pgReport = try await postgres.verify()
        #expect(pgReport.isIntact, "\(String(describing: pgReport.problem))")
        #expect(pgReport.head == (try sqlite.log.verify().head))
        await postgres.close()
    }

    /// One person sending more forms within a window than the read takes per fingerprint: the read says it ended
    /// inside the window, and a repeat of the oldest form is still found, by the exact question, as on SQLite.
    @Test func aRepeatBeyondTheNewestLeadsReadPerFingerprintIsStillFound() async throws {
        let sqlite = try TemporaryLog(start: PostgresEventLogTests.start)
        let database = try await PostgresEventLogTests.server().makeDatabase()
        let postgres = try await PostgresEventLogTests.open(database, clock: sqlite.clock)
        func lead(form: Int) -> NewLead {
            let now = sqlite.clock.now()
            return NewLead(
                leadID: LeadID.make(at: now), receivedAt: now, formID: "form-\(form)",
                personal: PersonalData(name: "Один и тот же", phone: "+79165550077"),
                duplicateWindowStart: now.adding(seconds: -60))
        }
        var first: LeadReceipt?
        for form in 0..<(DoubleSubmissionCandidates.perFingerprint + 8) {
            let prepared = try sqlite.log.prepare(lead(form: form))
            let onSQLite = try sqlite.log.receive(prepared: [prepared])
            #expect(try await postgres.receive(prepared: [prepared]) == onSQLite)
            #expect(onSQLite.first?.duplicateReason == nil, "every form is a lead of its own")
            first = first ?? onSQLite.first
            sqlite.clock.advance(milliseconds: 100)
        }
        let repeated = try sqlite.log.prepare(lead(form: 0))
        let onSQLite = try sqlite.log.receive(prepared: [repeated])
        let onPostgres = try await postgres.receive(prepared: [repeated])
        #expect(onPostgres == onSQLite)
        #expect(onPostgres.first?.duplicateReason == .doubleSubmission)
        #expect(onPostgres.first?.leadID == first?.leadID, "the repeat is answered with the first form's lead")
        await postgres.close()
    }

    /// Erasure on both backends: the key row goes, `LeadErased` is chained with the same hash, the data reads as
    /// erased, a second erase answers with the first event, and an unknown lead is not found.
    @Test func erasingALeadIsTheSameOnBothBackends() async throws {
        let sqlite = try TemporaryLog(start: PostgresEventLogTests.start)
        let postgres = try await PostgresEventLogTests.open(
            try await PostgresEventLogTests.server().makeDatabase(), clock: sqlite.clock)
        let now = sqlite.clock.now()
        let personal = PersonalData(name: "Ирина", phone: "+79165557001", email: "irina@example.ru")
        let prepared = try [
            sqlite.log.prepare(NewLead(leadID: LeadID.make(at: now), receivedAt: now, personal: personal)),
            sqlite.log.prepare(NewLead(leadID: LeadID.make(at: now), receivedAt: now, personal: PersonalData())),
        ]
        let receipts = try sqlite.log.receive(prepared: prepared)
        #expect(try await postgres.receive(prepared: prepared) == receipts)
        let erased = receipts[0].leadID
        sqlite.clock.advance(milliseconds: 1_000)

        let onSQLite = try sqlite.log.erase(erased, reason: "consent withdrawn")
        let onPostgres = try await postgres.erase(erased, reason: "consent withdrawn")
        #expect(onPostgres.event == onSQLite.event)
        #expect(!onPostgres.alreadyErased)
        #expect(onPostgres.residue == .postgresStorage)
        let again = try await postgres.erase(erased, reason: "asked twice")
        #expect(again.alreadyErased && again.event == onPostgres.event)
        await #expect(throws: StoreError.self) { try await postgres.erase(LeadID.make(at: now), reason: "unknown") }

        let events = try await postgres.events(EventQuery(type: .leadReceived, limit: 10))
        let leads = try events.map { event -> LeadReceived in
            guard case .leadReceived(let lead) = try event.decode() else { throw StoreError(.corrupt, "not a lead") }
            return lead
        }
        #expect(try await postgres.personalData(of: leads[0]) == .erased)
        #expect(try await postgres.personalData(of: leads[1]) == .available(PersonalData()))
        #expect(try await postgres.head() == (try sqlite.log.head()))
        #expect(try await postgres.verify().isIntact)
        await postgres.close()
    }

    @Test func aReusedKeyIsAnsweredWithTheOriginalReceiptAfterAReopen() async throws {
        let database = try await PostgresEventLogTests.server().makeDatabase()
        let clock = ManualClock(PostgresEventLogTests.start)
        let now = clock.now()
        let lead = NewLead(
            leadID: LeadID.make(at: now), receivedAt: now, idempotencyKey: "form-42",
            personal: PersonalData(phone: "+79165550042"))
        let first = try await PostgresEventLogTests.open(database, clock: clock)
        let original = try await first.receive(lead)
        #expect(!original.duplicate)
        await first.close()

        let again = try await PostgresEventLogTests.open(database, clock: clock)
        var resent = lead
        resent.leadID = LeadID.make(at: now)
        let answer = try await again.receive(resent)
        #expect(answer.duplicateReason == .idempotencyKey)
        #expect(answer.leadID == original.leadID && answer.seq == original.seq && answer.hash == original.hash)
        #expect(try await again.receipt(forIdempotencyKey: "form-42") == answer)
        #expect(try await again.head()?.seq == 1)
        await again.close()
    }

    @Test func tooManyLeadsInOneCallAreRefusedAndNothingIsWritten() async throws {
        let database = try await PostgresEventLogTests.server().makeDatabase()
        var options = PostgresEventLogTests.patientOptions
        options.maxEventsPerAppend = 3
        let clock = ManualClock(PostgresEventLogTests.start)
        let log = try await PostgresEventLogTests.open(database, clock: clock, options: options)
        let now = clock.now()
        let leads = (0..<4).map { number in
            NewLead(leadID: LeadID.make(at: now), receivedAt: now, personal: PersonalData(name: "Лид \(number)"))
        }
        await #expect(throws: StoreError.self) { try await log.receive(leads) }
        #expect(try await log.receive(Array(leads.prefix(3))).count == 3)
        #expect(try await log.head()?.seq == 3)
        await log.close()
    }
}

/// Group commit on PostgreSQL: concurrent callers share transactions, each gets its own durable receipt, and a
/// stopping committer refuses rather than queues.
@Suite(.serialized) struct PostgresGroupCommitterTests {
    @Test func concurrentLeadsShareTransactionsAndEachGetsItsOwnReceipt() async throws {
        let database = try await PostgresEventLogTests.server().makeDatabase()
        let clock = ManualClock(PostgresEventLogTests.start)
        let log = try await PostgresEventLogTests.open(database, clock: clock)
        let committer = PostgresGroupCommitter(log: log, limits: .init(maxBatch: 32, maxQueued: 1_000))
        let now = clock.now()
        let receipts = try await withThrowingTaskGroup(of: LeadReceipt.self) { group in
            for number in 0..<300 {
                group.addTask {
                    try await committer.receive(
                        NewLead(
                            leadID: LeadID.make(at: now), receivedAt: now,
                            personal: PersonalData(phone: "+7916555\(String(format: "%04d", number))")))
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(Set(receipts.map(\.seq)) == Set(1...300))
        #expect(receipts.allSatisfy { !$0.duplicate })
        let statistics = committer.statistics
        #expect(statistics.leads == 300)
        #expect(statistics.largestBatch <= 32)
        #expect(statistics.batches < 300, "concurrent leads were committed together")
        let report = try await log.verify()
        #expect(report.isIntact && report.eventsChecked == 300)
        await log.close()
    }

    @Test func aStoppingCommitterRefusesNewLeads() async throws {
        let database = try await PostgresEventLogTests.server().makeDatabase()
        let log = try await PostgresEventLogTests.open(database)
        let committer = PostgresGroupCommitter(log: log)
        committer.shutdown()
        let now = Timestamp(millisecondsSinceEpoch: 1_795_000_000_000)
        await #expect(throws: GroupCommitError.shuttingDown) {
            try await committer.receive(NewLead(leadID: LeadID.make(at: now), receivedAt: now, personal: PersonalData()))
        }
        #expect(try await log.head() == nil)
        await log.close()
    }
}
