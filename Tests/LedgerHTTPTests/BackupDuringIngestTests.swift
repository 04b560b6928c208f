import Foundation
import LedgerCore
import LedgerStore
import LedgerTesting
import Testing

/// `leadledger backup` while `serve` takes leads: the copy is consistent (it verifies) and holds every lead
/// acknowledged before the backup began.
@Suite(.serialized)
struct BackupDuringIngestTests {
    @Test func aBackupTakenDuringConcurrentIngestVerifiesAndKeepsEveryEarlierLead() async throws {
        let server = try ServeProcess()
        try server.start()
        for number in 0..<50 {
            #expect(try await server.post(#"{"phone":"+79165560\#(String(format: "%03d", number))"}"#).status == 201)
        }
        let destination = server.directory.file("backup.sqlite")
        let output = server.directory.file("backup.out")
        #expect(FileManager.default.createFile(atPath: output, contents: nil))
        // Leads keep arriving while the backup runs.
        let writer = Task {
            var accepted = 0
            for number in 0..<150 {
                let status = try await server.post(#"{"phone":"+79165561\#(String(format: "%03d", number))"}"#).status
                if status == 201 { accepted += 1 }
            }
            return accepted
        }
        try await Task.sleep(for: .milliseconds(200))
        let backup = Process()
        backup.executableURL = URL(fileURLWithPath: try leadledgerBinary())
        backup.arguments = ["backup", destination]
        backup.environment = server.environment
        let handle = FileHandle(forWritingAtPath: output)
        backup.standardOutput = handle
        backup.standardError = handle
        try await ProcessExit.launch(backup).exited()
        let accepted = try await writer.value
        server.stop()
        let printed = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        #expect(backup.terminationStatus == 0, "\(printed)")
        #expect(printed.contains("verified"), "\(printed)")
        #expect(accepted == 150)
        let copy = try EventLog.open(path: destination)
        #expect(try copy.verify().isIntact)
        let copied = try copy.events(EventQuery(type: .leadReceived, limit: 10_000)).count
        #expect(copied >= 50 && copied <= 200, "the 50 leads before the backup, and some of those during it: \(copied)")
    }
}
