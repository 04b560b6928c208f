import Foundation
import LedgerCore
import LedgerStore
import LedgerTesting
import Testing

@testable import LedgerPostgres

/// What ingest meets when PostgreSQL misbehaves: a crash and recovery under concurrent leads, a pool with no free
/// connection, a statement held up past its timeout. Each ends in a storage error (503 at ingest) within its bound,
/// never in a hang and never in a lost acknowledged lead, and the same log works again afterwards.
@Suite(.serialized) struct PostgresFaultTests {
    static func lead(_ number: Int, at now: Timestamp = SystemClock().now()) -> NewLead {
        NewLead(
            leadID: LeadID.make(at: now), receivedAt: now, formID: "main",
            personal: PersonalData(phone: "+7916\(String(format: "%07d", number))"),
            duplicateWindowStart: now.adding(seconds: -10))
    }

    /// The chain-head lock held from a psql session of its own, as a stuck writer would hold it, until `release`.
    struct LockHolder {
        let server: PostgresServer
        let database: String
        let session: Task<Void, Never>

        /// Returns once the lock is held.
        static func hold(_ server: PostgresServer, in database: String) async throws -> LockHolder {
            let session = Task {
                _ = try? await server.sql(
                    "BEGIN; SELECT 1 FROM chain_head FOR UPDATE; SELECT pg_sleep(60);",
                    in: database + "&application_name=lock-holder")
            }
            let holder = LockHolder(server: server, database: database, session: session)
            try await holder.until(
                "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid) "
                    + "WHERE a.application_name = 'lock-holder' AND l.locktype = 'relation' "
                    + "AND l.relation = 'chain_head'::regclass AND l.granted")
            return holder
        }

        /// Waits (at most 20 s) until the ledger has a session waiting for a lock.
        func ledgerWaits() async throws {
            try await until(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'leadledger' AND wait_event_type = 'Lock'"
            )
        }

        /// Ends the holding session; the lock goes with it.
        func release() async throws {
            try await server.sql(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'lock-holder'",
                in: database)
            await session.value
        }

        private func until(_ countQuery: String) async throws {
            for _ in 0..<400 {
                let count = try await server.sql(countQuery, in: database).trimmingCharacters(in: .whitespacesAndNewlines)
                if count == "1" { return }
                try await Task.sleep(for: .milliseconds(50))
            }
            throw PostgresServerError(message: "not reached within 20 s: \(countQuery)")
        }
    }

    @Test func leadsReceivedAcrossACrashAreAllKeptAndReceivingResumesByItself() async throws {
        let server = try await PostgresServer.start()
        var options = PostgresEventLogTests.patientOptions
        options.operationTimeoutMilliseconds = 5_000
        let database = try await server.makeDatabase()
        // A fresh cluster on a loaded machine can take longer than the short bound to open: retried, as a service
        // manager would restart a process that failed at start.
        let log = try await eventually {
            try await PostgresEventLogTests.open(database, clock: SystemClock(), options: options)
        }
        let committer = PostgresGroupCommitter(log: log)
        let clients = (0..<4).map { client in
            Task { () -> (acknowledged: [LeadReceipt], refused: [any Error]) in
                var acknowledged: [LeadReceipt] = []
                var refused: [any Error] = []
                for number in 0..<150 {
                    do {
                        acknowledged.append(try await committer.receive(Self.lead(client * 1_000 + number)))
                    } catch {
                        refused.append(error)
                    }
                    try? await Task.sleep(for: .milliseconds(5))
                }
                return (acknowledged, refused)
            }
        }
        try await Task.sleep(for: .milliseconds(300))
        try await server.restartImmediately()
        var acknowledged: [LeadReceipt] = []
        for client in clients {
            let outcome = await client.value
            acknowledged += outcome.acknowledged
            for error in outcome.refused {
                #expect((error as? StoreError)?.isStorageUnavailable == true, "\(error)")
            }
        }
        let after = try await eventually { try await committer.receive(Self.lead(9_999)) }
        // A lead refused with "outcome unknown" (a COMMIT whose reply the crash swallowed) may be stored as well.
        #expect(after.seq > Int64(acknowledged.count))
        let stored = try await eventually { try await log.events(EventQuery(type: .leadReceived, limit: 1_000)) }
        #expect(stored.map(\.seq) == Array(1...after.seq), "one gap-free chain")
        let bySeq = Dictionary(uniqueKeysWithValues: stored.map { ($0.seq, $0) })
        #expect(acknowledged.allSatisfy { bySeq[$0.seq]?.hash == $0.hash && bySeq[$0.seq]?.stream == $0.leadID.description })
        #expect(try await eventually { try await log.verify() }.isIntact)
        await log.close()
        try? await server.stop()
    }

    /// One connection, held by an append waiting for the lock: the next call finds no connection and fails within
    /// the operation bound instead of queueing for ever. The time limit guards against the hang; it measures nothing.
    @Test(.timeLimit(.minutes(1))) func aPoolWithNoFreeConnectionAnswersBusyWithinTheBound() async throws {
        let server = try await PostgresEventLogTests.server()
        let database = try await server.makeDatabase()
        var options = PostgresEventLogTests.patientOptions
        options.poolSize = 1
        // head() gives up after 5 s; the waiting lead, released just after, must end within 10 s of its start, and
        // its lock wait must not meet the statement timeout first.
        options.operationTimeoutMilliseconds = 5_000
        options.statementTimeoutMilliseconds = 20_000
        let log = try await eventually {
            try await PostgresEventLogTests.open(database, clock: SystemClock(), options: options)
        }
        let holder = try await LockHolder.hold(server, in: database)
        let waiting = Task { try await log.receive(Self.lead(1)) }
        try await holder.ledgerWaits()
        do {
            _ = try await log.head()
            Issue.record("a call got a connection the pool does not have")
        } catch {
            #expect(error.code == .busy, "\(error)")
            #expect(error.isStorageUnavailable)
        }
        try await holder.release()
        #expect(try await waiting.value.seq == 1, "the waiting lead committed once the lock was free")
        #expect(try await log.head()?.seq == 1)
        await log.close()
    }

    /// A statement that waits past `statement_timeout` is cancelled by the server and the call fails loudly, with the
    /// server's own reason; nothing of it is written, and the next call works.
    @Test func aStatementPastItsTimeoutFailsLoudlyAndWritesNothing() async throws {
        let server = try await PostgresEventLogTests.server()
        let database = try await server.makeDatabase()
        var options = PostgresEventLogTests.patientOptions
        options.statementTimeoutMilliseconds = 300
        let log = try await PostgresEventLogTests.open(database, clock: SystemClock(), options: options)
        let holder = try await LockHolder.hold(server, in: database)
        do {
            _ = try await log.receive(Self.lead(1))
            Issue.record("a lead was received while the append lock was held past the statement timeout")
        } catch {
            #expect(error.code == .busy, "\(error)")
            #expect(error.description.contains("57014"), "\(error)")
        }
        try await holder.release()
        #expect(try await log.head() == nil)
        #expect(try await log.receive(Self.lead(2)).seq == 1)
        await log.close()
    }
}

/// `body`'s value once it succeeds, trying once a second for at most a minute: a server in crash recovery on a
/// loaded machine takes its time to accept connections again. Every failure meanwhile must be a storage error.
func eventually<T>(_ body: () async throws -> T) async throws -> T {
    for _ in 0..<60 {
        do {
            return try await body()
        } catch let error as StoreError where error.isStorageUnavailable {
            try await Task.sleep(for: .seconds(1))
        }
    }
    return try await body()
}

/// The bound on one PostgreSQL call, without a server: a call that never gets a connection ends as `busy`; one that
/// started gets a second bound to end, and past it ends as an unknown outcome instead of hanging its request.
struct BoundedCallTests {

    @Test(.timeLimit(.minutes(1))) func aStartedCallThatNeverEndsIsAbandonedAsAnUnknownOutcome() async throws {
        let location = try PostgresLocationFixture.location
        do {
            _ = try await PostgresEventLog.bounded(.milliseconds(200), location) { started in
                started()
                try await Task.sleep(for: .seconds(3_600))
                return 1
            }
            Issue.record("a call that never ended returned")
        } catch {
            #expect(error.code == .ioError, "\(error)")
            #expect(error.description.contains("outcome is unknown"), "\(error)")
        }
    }

    @Test func aStartedCallThatEndsWithinItsSecondBoundReturnsItsValue() async throws {
        let value = try await PostgresEventLog.bounded(.milliseconds(300), try PostgresLocationFixture.location) { started in
            started()
            try await Task.sleep(for: .milliseconds(450))
            return 42
        }
        #expect(value == 42)
    }

    @Test(.timeLimit(.minutes(1))) func aCallThatNeverStartsIsBusyAfterTheFirstBound() async throws {
        let location = try PostgresLocationFixture.location
        do {
            _ = try await PostgresEventLog.bounded(.milliseconds(200), location) { _ in
                try await Task.sleep(for: .seconds(3_600))
                return 1
            }
            Issue.record("a call that never started returned")
        } catch {
            #expect(error.code == .busy, "\(error)")
        }
    }
}

enum PostgresLocationFixture {
    static var location: PostgresLocation {
        get throws { try PostgresLocation(url: "postgres://ledger@127.0.0.1:1/leads?sslmode=disable") }
    }
}
