import Foundation
import GRDB
import LedgerCore
import LedgerStore
import LedgerTesting
import Testing

/// `leadledger verify`, the auditor's check, run as a real process against a file written by the library.
struct VerifyCommandTests {
    /// Changes one character inside the `message` string of the event at `seq`, the way an attacker with file
    /// access would: plain SQLite, drop the UPDATE trigger, rewrite the row. Returns the tampered body.
    private func tamperWithMessage(at seq: Int64, in path: String, restoreTrigger: Bool) throws -> String {
        let queue = try DatabaseQueue(path: path)
        return try queue.writeWithoutTransaction { db in
            let trigger = try #require(
                try String.fetchOne(
                    db, sql: "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'event_refuse_update'"))
            let data = try #require(try String.fetchOne(db, sql: "SELECT data FROM event WHERE seq = ?", arguments: [seq]))
            let marker = #""message":""#
            let range = try #require(data.range(of: marker))
            let index = range.upperBound
            let original = data[index]
            let replacement: Character = original == "x" ? "y" : "x"
            var changed = data
            changed.replaceSubrange(index...index, with: String(replacement))
            try db.execute(sql: "DROP TRIGGER event_refuse_update")
            try db.execute(sql: "UPDATE event SET data = ? WHERE seq = ?", arguments: [changed, seq])
            if restoreTrigger { try db.execute(sql: trigger) }
            return changed
        }
    }

    private func firstSyncFailedSeq(_ workspace: Workspace) throws -> Int64 {
        try workspace.withLog { log, _ in
            let failures = try log.events(EventQuery(type: .syncFailed, limit: 100))
            // Not the very first event of the log, so "events intact before it" is meaningful.
            return try #require(failures.first(where: { $0.seq > 1 })?.seq)
        }
    }

    @Test func anIntactLogVerifiesWithExitZeroAndCountsEveryEventWritten() throws {
        let workspace = try Workspace()
        let summary = try workspace.generate(leads: 40, seed: 11)
        #expect(summary.events > 40)
        let result = try workspace.leadledger("verify")
        #expect(result.code == 0, "\(result)")
        #expect(result.stdout.contains("verify: ok, \(summary.events) events"), "\(result)")
        #expect(result.stdout.contains("head seq \(summary.events)"), "\(result)")
    }

    @Test func anEmptyLogVerifiesWithZeroEvents() throws {
        let workspace = try Workspace()
        try workspace.withLog { _, _ in }
        let result = try workspace.leadledger("verify")
        #expect(result.code == 0, "\(result)")
        #expect(result.stdout.contains("verify: ok, 0 events"), "\(result)")
    }

    /// The brief's attack: drop the UPDATE trigger, change one character, recreate nothing. `verify` must fail and
    /// tell the auditor which event was changed (exit 1, naming the first bad seq).
    @Test func aChangedCharacterWithTheTriggerLeftDroppedFailsWithExitOneNamingTheChangedSeq() throws {
        let workspace = try Workspace()
        try workspace.generate(leads: 40, seed: 11)
        let seq = try firstSyncFailedSeq(workspace)
        _ = try tamperWithMessage(at: seq, in: workspace.databasePath, restoreTrigger: false)
        let result = try workspace.leadledger("verify")
        #expect(result.code == 1, "\(result)")
        #expect(result.stdout.isEmpty, "\(result)")
        #expect(result.stderr.contains("seq \(seq)"), "stderr must name the changed event's seq \(seq): \(result)")
    }

    /// A careful attacker puts the trigger back: the hash chain alone must still catch the change, at its seq.
    @Test func aChangedCharacterWithTheTriggerRestoredFailsWithExitOneNamingTheChangedSeq() throws {
        let workspace = try Workspace()
        try workspace.generate(leads: 40, seed: 11)
        let seq = try firstSyncFailedSeq(workspace)
        _ = try tamperWithMessage(at: seq, in: workspace.databasePath, restoreTrigger: true)
        let result = try workspace.leadledger("verify")
        #expect(result.code == 1, "\(result)")
        #expect(result.stderr.contains("seq \(seq)"), "\(result)")
        #expect(result.stderr.contains("hash mismatch"), "\(result)")
        #expect(result.stderr.contains("\(seq - 1) events intact before it"), "\(result)")
    }

    @Test func aDroppedTriggerAloneFailsWithExitOne() throws {
        let workspace = try Workspace()
        try workspace.generate(leads: 5, seed: 2)
        let queue = try DatabaseQueue(path: workspace.databasePath)
        try queue.writeWithoutTransaction { db in try db.execute(sql: "DROP TRIGGER event_refuse_delete") }
        let result = try workspace.leadledger("verify")
        #expect(result.code == 1, "\(result)")
        #expect(result.stderr.contains("event_refuse_delete"), "\(result)")
    }

    @Test func aMissingLogFileIsARuntimeErrorWithExitThreeAndIsNotCreated() throws {
        let workspace = try Workspace()
        let result = try workspace.leadledger("verify")
        #expect(result.code == 3, "\(result)")
        #expect(result.stderr.contains(workspace.databasePath), "\(result)")
        #expect(!FileManager.default.fileExists(atPath: workspace.databasePath), "verify must not create a log")
    }

    @Test func aFileThatIsNotALogIsARuntimeErrorWithExitThree() throws {
        let workspace = try Workspace()
        _ = try workspace.write("ledger.sqlite", "this is not a database, just text\n")
        let result = try workspace.leadledger("verify")
        #expect(result.code == 3, "\(result)")
    }
}
