import Foundation
import LedgerCore
import LedgerPostgres
import LedgerStore
import LedgerTesting
import Logging
import Testing

/// The PostgreSQL log against a real server (`tools/pg/cluster.py`), held to the SQLite log's contract: the same
/// events in, the same hashes out; append-only enforced by the database; tampering found by `verify`. One test at a
/// time: each starts clusters or processes, and on 2 cores running them together starved the server they test.
@Suite(.serialized) struct PostgresEventLogTests {
    static let logger = Logger(label: "test.postgres")
    static let start = Timestamp(millisecondsSinceEpoch: 1_795_000_000_000)

    static func server() async throws -> PostgresServer { try await PostgresServer.shared() }

    /// The bound on each operation in tests that do not test the bound: the whole suite shares 2 cores with every
    /// other test target, and a connection can wait that long for a turn without anything being wrong.
    static var patientOptions: PostgresLogOptions {
        var options = PostgresLogOptions()
        options.operationTimeoutMilliseconds = 60_000
        return options
    }

    static func open(
        _ url: String, clock: any LedgerClock = ManualClock(start), options: PostgresLogOptions = patientOptions
    ) async throws -> PostgresEventLog {
        try await PostgresEventLog.open(try PostgresLocation(url: url), options: options, clock: clock, logger: logger)
    }

    static func alert(_ index: Int, kind: String = "crm_failures") -> PendingEvent {
        PendingEvent(
            .alertRaised(
                AlertRaised(
                    alertID: UUIDv7.make(at: Timestamp(millisecondsSinceEpoch: start.millisecondsSinceEpoch + Int64(index))),
                    kind: kind, severity: .warning, dedupeKey: "\(kind):\(index)", message: "AmoCRM не ответил \(index)",
                    subject: "amocrm")))
    }

    @Test func theSameEventsHashTheSameOnBothBackends() async throws {
        let database = try await Self.server().makeDatabase()
        let sqlite = try TemporaryLog(start: Self.start)
        let postgres = try await Self.open(database, clock: sqlite.clock)
        let batches = [(0..<3).map { Self.alert($0) }, [Self.alert(3, kind: "lead_dead")], (4..<20).map { Self.alert($0) }]
        for batch in batches {
            let onSQLite = try sqlite.log.append(batch)
            let onPostgres = try await postgres.append(batch)
            #expect(onSQLite == onPostgres)
            sqlite.clock.advance(milliseconds: 1_000)
        }
        #expect(try sqlite.log.head() == (try await postgres.head()))
        #expect(try await postgres.head()?.seq == 20)
        let report = try await postgres.verify()
        #expect(report.isIntact, "\(String(describing: report.problem))")
        #expect(report.eventsChecked == 20)
        #expect(report.head == (try sqlite.log.verify().head))
        let read = try await postgres.events(EventQuery(afterSeq: 5, limit: 3))
        #expect(read == (try sqlite.log.events(EventQuery(afterSeq: 5, limit: 3))))
        await postgres.close()
    }

    @Test func theDatabaseRefusesToChangeOrRemoveAnEvent() async throws {
        let server = try await Self.server()
        let database = try await server.makeDatabase()
        let log = try await Self.open(database)
        try await log.append([Self.alert(0), Self.alert(1)])
        for statement in ["UPDATE event SET data = '{}' WHERE seq = 1", "DELETE FROM event WHERE seq = 2", "TRUNCATE event"] {
            await #expect(throws: PostgresServerError.self, "\(statement)") { try await server.sql(statement, in: database) }
            do {
                try await server.sql(statement, in: database)
            } catch {
                #expect("\(error)".contains("append-only"), "\(error)")
            }
        }
        #expect(try await log.verify().isIntact)
        await log.close()
    }

    /// A superuser can disable the triggers and rewrite history; `verify` names the first altered event and the
    /// disabled trigger.
    @Test func verifyFindsAnAlteredEventAndTheDisabledTrigger() async throws {
        let server = try await Self.server()
        let database = try await server.makeDatabase()
        let log = try await Self.open(database)
        try await log.append((0..<5).map { Self.alert($0) })
        try await server.sql(
            "ALTER TABLE event DISABLE TRIGGER event_refuse_update; UPDATE event SET data = replace(data, 'AmoCRM', 'amoCRM') WHERE seq = 3",
            in: database)
        let report = try await log.verify()
        #expect(report.problem?.seq == 3)
        #expect(report.problem?.reason.contains("hash mismatch") == true)
        #expect(report.problem?.reason.contains("event_refuse_update") == true)
        #expect(report.eventsChecked == 2)
        await log.close()
    }

    /// The role docs/POSTGRES.md sets up (`tools/pg/ledger-role.sql`) on a database an administrator migrated: it
    /// opens, appends and verifies, and cannot rewrite history even by going around the triggers.
    @Test func aLedgerRoleWithTheDocumentedGrantsWorksAndCannotRewrite() async throws {
        let server = try await Self.server()
        let database = try await server.makeDatabase()
        await (try await Self.open(database)).close()
        let role = "ledger_\(UUID().uuidString.prefix(8).lowercased())"
        try await server.sql("CREATE ROLE \(role) LOGIN PASSWORD 'ledger-pw'", in: database)
        try await server.run(
            file: packageRoot.appendingPathComponent("tools/pg/ledger-role.sql").path, variables: ["role": role],
            in: database)
        let name = try #require(URLComponents(string: database)?.path.dropFirst())
        let asRole = "postgres://\(role):ledger-pw@127.0.0.1:\(server.port)/\(name)?sslmode=disable"
        let log = try await Self.open(asRole)
        try await log.append([Self.alert(0), Self.alert(1)])
        #expect(try await log.verify().isIntact)
        await log.close()
        for statement in [
            "UPDATE event SET data = '{}'", "DELETE FROM event", "ALTER TABLE event DISABLE TRIGGER event_refuse_update",
        ] {
            do {
                try await server.sql(statement, in: asRole)
                Issue.record("the ledger role could run \(statement)")
            } catch {
                #expect("\(error)".contains("permission denied") || "\(error)".contains("must be owner"), "\(error)")
            }
        }
    }

    @Test func aDatabaseMigratedByANewerLedgerIsRefused() async throws {
        let server = try await Self.server()
        let database = try await server.makeDatabase()
        await (try await Self.open(database)).close()
        try await server.sql("INSERT INTO ledger_migration VALUES ('2099-01-01-from-the-future', 0)", in: database)
        do {
            _ = try await Self.open(database)
            Issue.record("opened a newer schema")
        } catch let error as StoreError {
            #expect(error.code == .schemaTooNew)
            #expect(error.message.contains("2099-01-01-from-the-future"))
        }
    }

    @Test func reopeningKeepsTheChainAndMigratesNothingTwice() async throws {
        let database = try await Self.server().makeDatabase()
        let first = try await Self.open(database)
        try await first.append([Self.alert(0)])
        await first.close()
        let second = try await Self.open(database)
        try await second.append([Self.alert(1)])
        #expect(try await second.head()?.seq == 2)
        #expect(try await second.verify().isIntact)
        await second.close()
    }

    @Test func streamRulesAreTheSameAsOnSQLite() async throws {
        let database = try await Self.server().makeDatabase()
        let log = try await Self.open(database)
        let lead = LeadID.make(at: Self.start)
        let sync = PendingEvent(.syncAttempted(SyncAttempted(leadID: lead, attempt: 1, attemptID: "a-1", target: .amocrm)))
        do {
            try await log.append([sync])
            Issue.record("a lead event without its LeadReceived was accepted")
        } catch {
            #expect(error.code == .notFound)
        }
        let first = Self.alert(0)
        try await log.append([first])
        do {
            try await log.append([PendingEvent(Self.alert(1).event, expected: .noStream)])
            Issue.record("an expected version that does not match was accepted")
        } catch {
            #expect(error.code == .versionConflict)
        }
        #expect(try await log.head()?.seq == 1, "a refused append writes nothing")
        await log.close()
    }

    /// Writers in parallel never fork the chain and never leave a gap.
    @Test func concurrentAppendsKeepOneGapFreeChain() async throws {
        let database = try await Self.server().makeDatabase()
        let log = try await Self.open(database, clock: SystemClock())
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<8 {
                group.addTask {
                    for round in 0..<10 { try await log.append([Self.alert(writer * 100 + round)]) }
                }
            }
            try await group.waitForAll()
        }
        let report = try await log.verify()
        #expect(report.isIntact, "\(String(describing: report.problem))")
        #expect(report.eventsChecked == 80)
        await log.close()
    }

    @Test func aWrongPasswordFailsAtOpenWithoutShowingIt() async throws {
        let server = try await Self.server()
        let wrong = "postgres://postgres:not-the-password@127.0.0.1:\(server.port)/leadledger?sslmode=disable"
        do {
            _ = try await Self.open(wrong)
            Issue.record("opened with a wrong password")
        } catch let error as StoreError {
            #expect(error.code == .cannotOpen, "\(error)")
            #expect(error.description.contains("28P01"), "\(error)")
            #expect(!error.description.contains("not-the-password"))
        }
    }

    /// Nothing listens: the pool would retry for ever; the operation bound ends the wait with a storage error. The
    /// time limit is the test's guard against the hang, not a measurement.
    @Test(.timeLimit(.minutes(1))) func anUnreachableServerFailsWithinTheOperationBound() async throws {
        var options = PostgresLogOptions()
        options.operationTimeoutMilliseconds = 1_500
        options.connectTimeoutMilliseconds = 500
        do {
            _ = try await Self.open("postgres://ledger:pw@127.0.0.1:1/leads?sslmode=disable", options: options)
            Issue.record("opened a database nobody serves")
        } catch let error as StoreError {
            #expect(error.isStorageUnavailable, "\(error)")
        }
    }

    /// `fsync=off` would lose acknowledged leads in a crash: the log refuses such a server. A cluster of its own,
    /// since the setting is server-wide.
    @Test func aServerWithoutFsyncIsRefused() async throws {
        let server = try await PostgresServer.start()
        try await server.sql("ALTER SYSTEM SET fsync = off")
        try await server.sql("SELECT pg_reload_conf()")
        try await Task.sleep(for: .milliseconds(300))
        do {
            _ = try await Self.open(try await server.makeDatabase())
            Issue.record("opened a server with fsync=off")
        } catch let error as StoreError {
            #expect(error.code == .durabilityNotGuaranteed, "\(error)")
            #expect(error.message.contains("fsync"))
        }
        try? await server.stop()
    }
}

extension PostgresEventLogTests {
    /// A database migrated before the chain-head row existed gets one at its log's head, and appends continue the
    /// chain; a row moved by hand is a `verify` problem, and the next write is refused rather than forking the chain.
    @Test func theChainHeadRowIsMadeAtTheLogsHeadAndHeldToIt() async throws {
        let server = try await Self.server()
        let database = try await server.makeDatabase()
        let first = try await Self.open(database)
        let events = try await first.append((0..<5).map { Self.alert($0) })
        await first.close()
        try await server.sql("DROP TABLE chain_head", in: database)
        try await server.sql("DELETE FROM ledger_migration WHERE name = '2026-12-08-chain-head'", in: database)

        let reopened = try await Self.open(database)
        #expect(try await reopened.verify().isIntact)
        let more = try await reopened.append([Self.alert(5)])
        #expect(more.first?.seq == 6 && more.first?.prevHash == events.last?.hash)
        try await server.sql("UPDATE chain_head SET seq = 3, hash = '\(events[2].hash)'", in: database)
        let report = try await reopened.verify()
        #expect(report.problem?.reason.contains("chain_head holds seq 3") == true, "\(report)")
        await #expect(throws: StoreError.self) { try await reopened.append([Self.alert(6)]) }
        #expect(try await reopened.head()?.seq == 6)
        await reopened.close()
    }

    /// The server crashes and recovers while appends run (`pg_ctl restart -m immediate`): calls in that window fail
    /// with a storage error (503 at ingest), none hangs past the operation bound, every append that returned is in
    /// the log afterwards, and the same log object appends again without being reopened. A cluster of its own.
    @Test func appendsSurviveAnImmediateRestartAndReconnectByThemselves() async throws {
        let server = try await PostgresServer.start()
        var options = Self.patientOptions
        options.operationTimeoutMilliseconds = 5_000
        let database = try await server.makeDatabase()
        let log = try await eventually { try await Self.open(database, clock: SystemClock(), options: options) }
        let writer = Task { () -> (acknowledged: [RecordedEvent], refused: [StoreError]) in
            var acknowledged: [RecordedEvent] = []
            var refused: [StoreError] = []
            for index in 0..<400 {
                do throws(StoreError) {
                    let recorded = try await log.append([Self.alert(index)])
                    acknowledged += recorded
                } catch {
                    refused.append(error)
                }
                try? await Task.sleep(for: .milliseconds(5))
            }
            return (acknowledged, refused)
        }
        let startedBefore = try await server.sql("SELECT pg_postmaster_start_time()")
        try await Task.sleep(for: .milliseconds(400))
        try await server.restartImmediately()
        let outcome = await writer.value
        // Appends in flight at that moment fail; the pool may also replace its dead connections before the next one
        // is asked for, so how many fail varies. What must hold is below.
        #expect(try await server.sql("SELECT pg_postmaster_start_time()") != startedBefore, "the server did restart")
        for error in outcome.refused { #expect(error.isStorageUnavailable, "\(error)") }
        let afterwards = try await eventually { try await log.append([Self.alert(1_000)]) }
        let stored = try await eventually { try await log.events(EventQuery(limit: 1_000)) }
        // An append refused with "outcome unknown" (a COMMIT whose reply the crash swallowed) may be stored as well.
        let bySeq = Dictionary(uniqueKeysWithValues: stored.map { ($0.seq, $0) })
        #expect(outcome.acknowledged.allSatisfy { bySeq[$0.seq] == $0 }, "no acknowledged event lost")
        #expect(stored.map(\.seq) == Array(1...(afterwards.first?.seq ?? 0)), "one gap-free chain")
        #expect(try await eventually { try await log.verify() }.isIntact)
        await log.close()
        try? await server.stop()
    }
}
