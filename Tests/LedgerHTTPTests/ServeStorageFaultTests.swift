import Foundation
import LedgerCore
import LedgerProjections
import LedgerStore
import LedgerTesting
import Testing

/// The disk under a running `serve` fills up or turns read-only: ingest answers 503 (never 2xx for what it could not
/// store), stays up, keeps every lead it acknowledged, and takes leads again by itself once the fault clears.
@Suite(.serialized)
struct ServeStorageFaultTests {
    static let comment = String(repeating: "Перезвоните после обеда. ", count: 60)

    private func post(_ server: ServeProcess, _ number: Int) async throws -> (status: Int, json: [String: Any]) {
        try await server.post(#"{"phone":"+7916\#(String(format: "%07d", number))","comment":"\#(Self.comment)"}"#)
    }

    private func storedLeadIDs(_ path: String) throws -> Set<String> {
        Set(try EventLog.open(path: path).events(EventQuery(type: .leadReceived, limit: 10_000)).map(\.stream))
    }

    @Test func aFullDiskAnswers503KeepsEveryAcknowledgedLeadAndRecoversWhenSpaceIsFreed() async throws {
        let disk = try TmpfsMount(kilobytes: 4096)
        let db = "\(disk.path)/ledger.sqlite"
        let server = try ServeProcess(settings: ["LEADLEDGER_DB": db])
        try server.start()
        let filler = try disk.fill(leaving: 160 * 1024)
        var acknowledged: Set<String> = []
        var refused: (status: Int, json: [String: Any])?
        for number in 0..<2000 {
            let answer = try await post(server, number)
            if answer.status == 201, let id = answer.json["lead_id"] as? String {
                acknowledged.insert(id)
                continue
            }
            refused = answer
            break
        }
        let full = try #require(refused, "the disk never filled up")
        #expect(full.status == 503)
        #expect(full.json["error"] is String)
        #expect(!acknowledged.isEmpty)
        #expect(try await server.get("/api/health").status == 200, "the server must stay up")
        #expect(try await post(server, 9_000_001).status == 503, "still full, still refused")

        try FileManager.default.removeItem(atPath: filler)
        let recovered = try await post(server, 9_000_002)
        #expect(recovered.status == 201, "must take leads again by itself once space is freed")
        if let id = recovered.json["lead_id"] as? String { acknowledged.insert(id) }
        #expect(server.stop() == 0)
        #expect(try storedLeadIDs(db) == acknowledged)
        #expect(try EventLog.open(path: db).verify().isIntact)
    }

    /// A file system cannot be remounted read-only under a process that holds files open for writing (the kernel
    /// answers EBUSY), so the read-only case a test can produce is the one after a restart: the disk came back
    /// read-only. `serve` must refuse to start, naming the file, rather than accept leads it cannot keep.
    @Test func onAReadOnlyFileSystemServeRefusesToStartAndNamesTheLog() async throws {
        let disk = try TmpfsMount(kilobytes: 8192)
        let db = "\(disk.path)/ledger.sqlite"
        let server = try ServeProcess(settings: ["LEADLEDGER_DB": db])
        try server.start()
        #expect(try await post(server, 1).status == 201)
        #expect(server.stop() == 0)

        try disk.remount(readOnly: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try leadledgerBinary())
        process.arguments = ["serve"]
        process.environment = server.environment
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        let exit = try ProcessExit.launch(process)
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        await exit.exited()
        #expect(process.terminationStatus == 3)
        #expect(message.contains(db), "\(message)")
        #expect(message.contains("read-only"), "\(message)")
        try disk.remount(readOnly: false)
        // The first run's start, its lead and its clean stop; the refused start wrote nothing and lost nothing.
        #expect(try EventLog.open(path: db).count() == 3)
    }

    /// The read models are written even by commands that only read the log; where their directory cannot be written,
    /// opening them fails naming the file and the reason, not SQLite's "unable to open database file".
    @Test func onAReadOnlyFileSystemTheReadModelsRefuseToOpenAndSayWhy() throws {
        let disk = try TmpfsMount(kilobytes: 1024)
        try disk.remount(readOnly: true)
        let path = ReadModelStore.path(forLog: "\(disk.path)/ledger.sqlite")
        #expect {
            try ReadModelStore.open(path: path)
        } throws: { error in
            let text = "\(error)"
            return text.contains(path) && text.contains("read-only") && text.contains("beside the log")
        }
        try disk.remount(readOnly: false)
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}
