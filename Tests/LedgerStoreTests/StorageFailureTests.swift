import Foundation
import GRDB
import LedgerCore
import LedgerStore
import LedgerTesting
import Testing

/// Storage faults must surface as typed `StoreError`s that say "storage unavailable" (ingest answers 503), and must
/// leave the log intact and writable once the fault clears.
struct StorageFailureTests {
    @Test func aFullDatabaseFailsTheAppendAsStorageUnavailable() throws {
        let fixture = try TemporaryLog()
        _ = try fixture.log.receive(sampleLead(0, at: fixture.clock.now()))
        let pages = try fixture.log.database.write { db in try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0 }
        try fixture.log.database.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA max_page_count = \(pages)") }
        var failure: StoreError?
        for number in 1...500 {
            do {
                _ = try fixture.log.receive(sampleLead(number, at: fixture.clock.now()))
            } catch {
                failure = error
                break
            }
        }
        let error = try #require(failure)
        #expect(error.code == .full)
        #expect(error.isStorageUnavailable)
        let countAtFailure = try fixture.log.count()

        try fixture.log.database.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA max_page_count = 1073741823") }
        _ = try fixture.log.receive(sampleLead(999, at: fixture.clock.now()))
        #expect(try fixture.log.count() == countAtFailure + 1)
        #expect(try fixture.log.verify().isIntact)
    }

    @Test func aWriteLockHeldPastTheBusyTimeoutFailsAsBusy() throws {
        var options = EventLogOptions()
        options.busyTimeoutMilliseconds = 100
        let fixture = try TemporaryLog(options: options)
        let holder = try DatabaseQueue(path: fixture.path)
        try holder.writeWithoutTransaction { db in
            try db.execute(sql: "BEGIN IMMEDIATE")
            #expect {
                _ = try fixture.log.receive(sampleLead(at: fixture.clock.now()))
            } throws: { error in
                guard let error = error as? StoreError else { return false }
                return error.code == .busy && error.isStorageUnavailable
            }
            try db.execute(sql: "ROLLBACK")
        }
        _ = try fixture.log.receive(sampleLead(at: fixture.clock.now()))
        #expect(try fixture.log.count() == 1)
    }

    @Test func aFileThatIsNotALogIsRefused() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("garbage.sqlite")
        try Data(repeating: 0x41, count: 8192).write(to: URL(fileURLWithPath: path))
        #expect {
            _ = try EventLog.open(path: path)
        } throws: { ($0 as? StoreError)?.code == .corrupt }
    }
}
