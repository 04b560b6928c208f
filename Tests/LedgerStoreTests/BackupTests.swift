import Foundation
import LedgerCore
import LedgerStore
import LedgerTesting
import Testing

struct BackupTests {
    @Test func aBackupIsAWholeVerifiedCopyAndNeverOverwritesAFile() throws {
        let fixture = try TemporaryLog()
        try LeadHistoryGenerator.write(leads: 300, to: fixture.log, clock: fixture.clock, seed: 5)
        let destination = fixture.directory.file("copy.sqlite")
        let report = try fixture.log.backup(to: destination)
        #expect(report.verification.isIntact)
        #expect(report.verification.eventsChecked == (try fixture.log.count()))
        #expect(report.verification.head == (try fixture.log.head()))
        #expect(report.bytes > 0)
        #expect(!FileManager.default.fileExists(atPath: destination + ".partial"))
        // The copy is a log like any other: leads read back with their personal data.
        let copy = try EventLog.open(path: destination)
        let original = try fixture.log.events(EventQuery(type: .leadReceived, limit: 1))
        let copied = try copy.events(EventQuery(type: .leadReceived, limit: 1))
        #expect(copied == original)
        #expect(throws: StoreError.self, "an existing file is never overwritten") {
            try fixture.log.backup(to: destination)
        }
    }
}
