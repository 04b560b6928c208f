import Foundation
import LedgerCore
import LedgerPostgres
import LedgerProjections
import LedgerStore
import LedgerTesting
import Testing

/// The storage seam's contract, run against both backends through `any EventStore` only: what `verify`, `events`,
/// `erase`, `backup` and the copy between stores rely on, whichever database holds the log.
@Suite(.serialized) struct StoreContractTests {
    enum Backend: String, CaseIterable, CustomTestStringConvertible {
        case sqlite, postgres
        var testDescription: String { rawValue }
    }

    /// A fresh, empty store of `backend`, its clock, and the directory a test may write files in.
    struct Opened {
        let store: any EventStore
        let clock: ManualClock
        let directory: TemporaryDirectory
    }

    static func open(_ backend: Backend) async throws -> Opened {
        let sqlite = try TemporaryLog(start: PostgresEventLogTests.start)
        switch backend {
        case .sqlite:
            return Opened(store: sqlite.log, clock: sqlite.clock, directory: sqlite.directory)
        case .postgres:
            let database = try await PostgresEventLogTests.server().makeDatabase()
            let store = try await PostgresEventLogTests.open(database, clock: sqlite.clock)
            return Opened(store: store, clock: sqlite.clock, directory: sqlite.directory)
        }
    }

    static func lead(_ number: Int, at time: Timestamp, key: String? = nil) -> NewLead {
        NewLead(
            leadID: LeadID.make(at: time), receivedAt: time, formID: "main", idempotencyKey: key,
            personal: PersonalData(name: "Лид \(number)", phone: "+7916555\(String(format: "%04d", number))"))
    }

    /// Appends and reads: pages bounded by the store's page size, oldest first, the head at the last event, a
    /// stream's events and nothing else, and `LeadReceived` refused on the append path.
    @Test(arguments: Backend.allCases) func appendedEventsReadBackInBoundedPages(_ backend: Backend) async throws {
        let opened = try await Self.open(backend)
        let store = opened.store
        #expect(try await store.head() == nil)
        let recorded = try await store.append((0..<25).map { PostgresEventLogTests.alert($0) })
        #expect(recorded.map(\.seq) == Array(1...25))
        #expect(try await store.head() == ChainHead(seq: 25, hash: recorded[24].hash))
        let page = try await store.events(EventQuery(afterSeq: 10, limit: 5))
        #expect(page.map(\.seq) == [11, 12, 13, 14, 15])
        let clamped = try await store.events(EventQuery(limit: store.maxPageSize + 1))
        #expect(clamped.count == 25)
        let received = try await store.receive([Self.lead(1, at: opened.clock.now())])
        let stored = try await store.stream(received[0].leadID.description)
        #expect(stored.map(\.seq) == [26], "a lead's stream holds its own events only")
        guard case .leadReceived(let lead) = try stored[0].decode() else { throw StoreError(.corrupt, "not a lead") }
        await #expect(throws: StoreError.self) { _ = try await store.append([PendingEvent(.leadReceived(lead))]) }
        #expect(try await store.head()?.seq == received[0].seq)
        await store.close()
    }

    /// Receiving through the seam: a reused idempotency key is answered with the original receipt and writes
    /// nothing; erasing the lead makes its data read as erased in the audit view, and a second erase answers with
    /// the first event.
    @Test(arguments: Backend.allCases) func keysAnswerTheOriginalAndErasureShowsInTheAuditView(_ backend: Backend) async throws {
        let opened = try await Self.open(backend)
        let store = opened.store
        let now = opened.clock.now()
        let first = try await store.receive([Self.lead(1, at: now, key: "form-1"), Self.lead(2, at: now)])
        opened.clock.advance(milliseconds: 60_000)
        let again = try await store.receive([Self.lead(3, at: opened.clock.now(), key: "form-1")])
        #expect(again[0].duplicateReason == .idempotencyKey)
        #expect(again[0].leadID == first[0].leadID && again[0].seq == first[0].seq)
        #expect(try await store.head()?.seq == 2)

        let timeline = try await store.stream(first[0].leadID.description)
        #expect(try await store.auditLine(timeline[0]).contains("+79165550001"))
        let erased = try await store.erase(first[0].leadID, reason: "consent withdrawn")
        #expect(!erased.alreadyErased)
        #expect(try await store.erase(first[0].leadID, reason: "twice").event == erased.event)
        let line = try await store.auditLine(timeline[0])
        #expect(line.contains("\"erased\":true") && !line.contains("+79165550001"))
        let other = try await store.stream(first[1].leadID.description)
        #expect(try await store.auditLine(other[0]).contains("+79165550002"))
        #expect(try await store.verify(progress: nil).isIntact)
        await store.close()
    }

    /// A backup is a SQLite log file whichever store it came from: it verifies on its own to the source's head,
    /// holds the same events with the same hashes, opens the same personal data (an erased lead stays erased), and
    /// carries the fingerprint key. A second backup to the same name is refused and leaves the first intact.
    @Test(arguments: Backend.allCases) func aBackupIsASQLiteLogWithTheSameHashes(_ backend: Backend) async throws {
        let opened = try await Self.open(backend)
        let store = opened.store
        let receipts = try await store.receive((0..<40).map { Self.lead($0, at: opened.clock.now()) })
        _ = try await store.append([PostgresEventLogTests.alert(1)])
        _ = try await store.erase(receipts[7].leadID, reason: "consent withdrawn")
        let destination = opened.directory.file("backup.sqlite")

        let report = try await store.backup(to: destination)
        #expect(report.verification.isIntact)
        #expect(report.verification.head == (try await store.head()))
        #expect(!FileManager.default.fileExists(atPath: destination + ".partial"))
        var options = EventLogOptions()
        options.readOnly = true
        let copy = try EventLog.open(path: destination, options: options)
        #expect(try copy.events(EventQuery(limit: 100)) == (try await store.events(EventQuery(limit: 100))))
        #expect(try copy.contactFingerprintSecret() == (try await store.contactFingerprintSecret()))
        let leads = try copy.events(EventQuery(type: .leadReceived, limit: 100)).map { event in
            guard case .leadReceived(let lead) = try event.decode() else { throw StoreError(.corrupt, "not a lead") }
            return lead
        }
        for lead in leads {
            #expect(try copy.personalData(of: lead) == (try await store.personalData(of: lead)))
        }
        #expect(try copy.personalData(of: leads[7]) == .erased)

        await #expect(throws: StoreError.self) { _ = try await store.backup(to: destination) }
        #expect(try EventLog.open(path: destination, options: options).verify().head == report.verification.head)
        await store.close()
    }

    /// A copied batch is written only when it continues the target's chain with matching hashes: a gap, a foreign
    /// `prev_hash` or an altered event is refused and nothing of it lands.
    @Test(arguments: Backend.allCases) func anImportThatDoesNotContinueTheChainWritesNothing(_ backend: Backend) async throws {
        let source = try TemporaryLog(start: PostgresEventLogTests.start)
        let events = try source.log.append((0..<6).map { PostgresEventLogTests.alert($0) })
        let secret = try source.log.contactFingerprintSecret()
        let opened = try await Self.open(backend)
        let target = opened.store
        try await target.importVerbatim(Array(events[0..<2]), leadKeys: [], erasedKeys: [], secret: secret)

        var altered = events[2]
        altered.data = altered.data.replacingOccurrences(of: "AmoCRM", with: "AmoCRM!")
        let refused: [(String, [RecordedEvent])] = [
            ("a gap", [events[3]]), ("an altered event", [altered, events[3]]), ("what is already there", [events[1]]),
        ]
        for (name, batch) in refused {
            await #expect(throws: StoreError.self, "\(name)") {
                try await target.importVerbatim(batch, leadKeys: [], erasedKeys: [], secret: secret)
            }
            #expect(try await target.head()?.seq == 2, "\(name)")
        }
        try await target.importVerbatim(Array(events[2...]), leadKeys: [], erasedKeys: [], secret: secret)
        #expect(try await target.head() == (try source.log.head()))
        #expect(try await target.verify(progress: nil).isIntact)
        await target.close()
    }

    /// What projections read is the same on both backends: every event's facts (each database's JSON functions
    /// extracting the same fields, absent and JSON-null fields alike as nil) and the hash at any seq, none past the
    /// head.
    @Test func projectionsReadTheSameFactsFromBothBackends() async throws {
        let source = try TemporaryLog(start: PostgresEventLogTests.start)
        let summary = try LeadHistoryGenerator.write(leads: 150, to: source.log, clock: source.clock, seed: 11)
        _ = try source.log.receive([
            NewLead(
                leadID: LeadID.make(at: source.clock.now()), receivedAt: source.clock.now(),
                personal: PersonalData(name: "Бот"), spam: .honeypot)
        ])
        let postgres = try await PostgresEventLogTests.open(
            try await PostgresEventLogTests.server().makeDatabase(), clock: source.clock)
        _ = try await LogCopy.copy(from: source.log, to: postgres)
        let head = try #require(try source.log.head()).seq
        #expect(head > Int64(summary.leads))
        var cursor: Int64 = 0
        while cursor < head {
            let onSQLite = try await source.log.facts(afterSeq: cursor, limit: 97)
            #expect(try await postgres.facts(afterSeq: cursor, limit: 97) == onSQLite)
            cursor = try #require(onSQLite.last).seq
        }
        let types = Set(try await source.log.facts(afterSeq: 0, limit: 10_000).map(\.type))
        #expect(types.isSuperset(of: ["LeadReceived", "SyncAttempted", "SyncFailed", "SyncSucceeded"]))
        #expect(try await source.log.facts(afterSeq: head - 1, limit: 1).first?.spam == true)
        for seq in [1, head / 2, head] {
            #expect(try await postgres.hash(atSeq: seq) == (try await source.log.hash(atSeq: seq)))
        }
        #expect(try await postgres.hash(atSeq: head + 1) == nil)
        #expect(try await source.log.hash(atSeq: head + 1) == nil)
        await postgres.close()
    }

    /// The projection runner reads either backend through the seam: folding the PostgreSQL copy of a log, in
    /// uneven batches, gives the read models folding the SQLite original gives.
    @Test func theReadModelsOfACopyAreThoseOfTheOriginal() async throws {
        let source = try TemporaryLog(start: PostgresEventLogTests.start)
        try LeadHistoryGenerator.write(leads: 120, to: source.log, clock: source.clock, seed: 12)
        let postgres = try await PostgresEventLogTests.open(
            try await PostgresEventLogTests.server().makeDatabase(), clock: source.clock)
        _ = try await LogCopy.copy(from: source.log, to: postgres)
        let onSQLite = try ProjectionRunner(log: source.log, batchSize: 64)
        try await onSQLite.catchUp()
        let onPostgres = ProjectionRunner(
            log: postgres, store: try ReadModelStore.open(path: source.directory.file("copy.projections.sqlite")),
            batchSize: 37)
        #expect(try await onPostgres.catchUp() == (try source.log.count()))
        let now = source.clock.now()
        #expect(try HealthView.load(onPostgres.store, now: now) == (try HealthView.load(onSQLite.store, now: now)))
        for state in LeadSyncState.allCases {
            #expect(
                try RetryQueue(store: onPostgres.store).entries(in: state, limit: 1000)
                    == (try RetryQueue(store: onSQLite.store).entries(in: state, limit: 1000)), "\(state)")
        }
        let head = try await postgres.head()?.seq ?? 0
        #expect(try onPostgres.status(head: head).allSatisfy { $0.lag == 0 })
        await postgres.close()
    }

    /// SQLite → PostgreSQL → backup: the file that comes back verifies with the hashes the first log had, and a
    /// lead received on PostgreSQL after the copy is fingerprinted with the same key (a double of a lead received
    /// before the copy is still found).
    @Test func aLogRoundTripsThroughPostgreSQLWithTheSameHashes() async throws {
        let source = try TemporaryLog(start: PostgresEventLogTests.start)
        let now = source.clock.now()
        var first = Self.lead(1, at: now)
        first.duplicateWindowStart = now.adding(seconds: -10)
        _ = try source.log.receive([first, Self.lead(2, at: now)])
        _ = try source.log.append([PostgresEventLogTests.alert(1)])
        let postgres = try await PostgresEventLogTests.open(
            try await PostgresEventLogTests.server().makeDatabase(), clock: source.clock)
        _ = try await LogCopy.copy(from: source.log, to: postgres, batchSize: 2)

        var double = Self.lead(1, at: now.adding(seconds: 2))
        double.duplicateWindowStart = now.adding(seconds: -8)
        #expect(try await postgres.receive([double])[0].duplicateReason == .doubleSubmission)

        let destination = source.directory.file("round-trip.sqlite")
        let report = try await postgres.backup(to: destination)
        #expect(report.verification.isIntact)
        #expect(report.verification.head == (try source.log.head()))
        await postgres.close()
    }

    /// A conditional append reads and writes under one lock: reports of one day recorded from many tasks at once are
    /// written once, and a process start reads the run before it from the same log, on either backend.
    @Test(arguments: Backend.allCases) func conditionalAppendsDecideUnderTheAppendLock(_ backend: Backend) async throws {
        let opened = try await Self.open(backend)
        let store = opened.store
        _ = try await store.append((0..<3).map { PostgresEventLogTests.alert($0) })
        let written = try await withThrowingTaskGroup(of: Bool.self) { group in
            for attempt in 0..<8 {
                group.addTask {
                    let produced = ReportProduced(
                        reportID: UUIDv7.make(at: Timestamp(millisecondsSinceEpoch: 1_796_000_000_000 + Int64(attempt))),
                        day: "2026-12-06", timeZone: "Europe/Moscow",
                        summary: ReportSummary(
                            received: 1, delivered: 1, deliveredLate: 0, pending: 0, dead: 0, spam: 0,
                            savedByRetries: 0, leadCost: "100", currency: "RUB", restarts: 0, uncleanRestarts: 0,
                            alertsRaised: 3),
                        reportSHA256: ContentDigest.sha256("{}"), run: .nightly)
                    return try await store.recordReport(produced) != nil
                }
            }
            return try await group.reduce(into: 0) { count, wrote in count += wrote ? 1 : 0 }
        }
        #expect(written == 1, "eight tasks, one report of the day")
        #expect(try await store.producedReportDays(among: ["2026-12-05", "2026-12-06"]) == ["2026-12-06"])
        #expect(try await store.events(EventQuery(type: .reportProduced, limit: 10)).count == 1)

        let first = try await store.recordStart(.serve, pid: 100, version: "test", isRunning: { _ in false })
        let second = try await store.recordStart(.serve, pid: 101, version: "test", isRunning: { _ in false })
        #expect(first.started.previousInstanceID == nil)
        #expect(second.started.previousInstanceID == first.started.instanceID)
        #expect(second.started.previousEnded == .unclean && second.alerts.map(\.kind) == ["unclean_restart"])
        #expect(try await store.verify(progress: nil).isIntact)
        await store.close()
    }
}
