import Foundation
import LedgerCore
import LedgerPostgres
import LedgerStore
import LedgerTesting
import Logging
import Testing

/// `LogCopy` from a generated SQLite history into a real PostgreSQL database: every event copied with its hash,
/// the key rows and the fingerprint key with them, an interrupted copy resumed, a foreign target refused.
@Suite(.serialized) struct LogCopyTests {
    static func source(leads: Int) throws -> TemporaryLog {
        let temp = try TemporaryLog()
        _ = try LeadHistoryGenerator.write(leads: leads, to: temp.log, clock: temp.clock, seed: 7)
        return temp
    }

    static func allEvents(_ log: EventLog) throws -> [RecordedEvent] {
        var events: [RecordedEvent] = []
        while true {
            let page = try log.events(EventQuery(afterSeq: events.last?.seq ?? 0, limit: 1000))
            guard !page.isEmpty else { return events }
            events += page
        }
    }

    static func allEvents(_ log: PostgresEventLog) async throws -> [RecordedEvent] {
        var events: [RecordedEvent] = []
        while true {
            let page = try await log.events(EventQuery(afterSeq: events.last?.seq ?? 0, limit: 1000))
            guard !page.isEmpty else { return events }
            events += page
        }
    }

    @Test func aCopyHoldsEveryEventKeyAndHashOfTheSource() async throws {
        let source = try Self.source(leads: 120)
        let leads = try Self.allEvents(source.log).filter { $0.type == EventType.leadReceived.rawValue }.map(\.stream)
        let erased = try #require(leads.first.flatMap { LeadID($0) })
        _ = try source.log.erase(erased, reason: "the owner asked")
        let server = try await PostgresEventLogTests.server()
        let database = try await server.makeDatabase()
        let target = try await PostgresEventLogTests.open(database)
        let report = try await LogCopy.copy(from: source.log, to: target, batchSize: 250)
        #expect(report.alreadyCopied == 0)
        #expect(report.copied == (try source.log.head()?.seq))
        #expect(report.head == (try source.log.head()))
        #expect(try await Self.allEvents(target) == (try Self.allEvents(source.log)))
        #expect(try await target.contactFingerprintSecret() == (try source.log.contactFingerprintSecret()))
        let keys = try source.log.leadKeys(leads)
        #expect(keys.count == leads.count - 1, "the erased lead has no key")
        let copiedKeys = try await server.sql("SELECT count(*) FROM lead_key", in: database)
        #expect(copiedKeys.trimmingCharacters(in: .whitespacesAndNewlines) == "\(keys.count)", "\(copiedKeys) vs \(keys.count)")
        #expect(
            try await server.sql("SELECT count(*) FROM lead_key WHERE lead_id = '\(erased)'", in: database)
                .trimmingCharacters(in: .whitespacesAndNewlines) == "0")
        await target.close()
    }

    @Test func anInterruptedCopyResumesAndASecondRunCopiesNothing() async throws {
        let source = try Self.source(leads: 60)
        let total = try #require(try source.log.head()?.seq)
        let database = try await PostgresEventLogTests.server().makeDatabase()
        let target = try await PostgresEventLogTests.open(database)
        let first = try await LogCopy.copy(from: source.log, to: target, batchSize: 100, maxBatches: 1)
        #expect(first.copied == 100)
        let second = try await LogCopy.copy(from: source.log, to: target, batchSize: 100)
        #expect(second.alreadyCopied == 100)
        #expect(second.copied == total - 100)
        let third = try await LogCopy.copy(from: source.log, to: target, batchSize: 100)
        #expect(third.copied == 0)
        #expect(third.head == (try source.log.head()))
        #expect(try await Self.allEvents(target) == (try Self.allEvents(source.log)))
        await target.close()
    }

    @Test func aTargetThatIsNotACopyOfTheSourceIsRefused() async throws {
        let source = try Self.source(leads: 10)
        let database = try await PostgresEventLogTests.server().makeDatabase()
        let target = try await PostgresEventLogTests.open(database)
        try await target.append([PostgresEventLogTests.alert(0)])
        do {
            _ = try await LogCopy.copy(from: source.log, to: target)
            Issue.record("copied into a foreign log")
        } catch {
            #expect(error.code == .versionConflict, "\(error)")
        }
        #expect(try await target.head()?.seq == 1, "nothing written")
        await target.close()
    }
}
