import Foundation
import LedgerCore
import LedgerStore
import LedgerTesting
import Testing

/// Imported leads flow to AmoCRM like any other: `serve` owns the log, `leadledger import` adds last week's leads to
/// it, `react` delivers them to the fake AmoCRM, once each, even after the file is imported a second time.
@Suite(.serialized)
struct ImportReachesCRMTests {
    private func importFile(_ path: String, into server: ServeProcess) throws -> (status: Int32, output: [String: Any]) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try leadledgerBinary())
        process.arguments = ["import", "--format", "json", path]
        process.environment = server.environment
        let outPath = server.directory.file("import-\(UUID().uuidString).out")
        guard FileManager.default.createFile(atPath: outPath, contents: nil) else {
            throw HarnessError(message: "cannot create \(outPath)")
        }
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        process.standardError = FileHandle.nullDevice
        try ProcessExit.launch(process).wait()
        let text = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw HarnessError(message: "import printed no JSON: \(text)")
        }
        return (process.terminationStatus, object)
    }

    @Test func importedLeadsAreDeliveredToTheCRMOnceEach() async throws {
        let crm = try FakeAmoCRMProcess()
        let settings = ["LEADLEDGER_AMOCRM_BASE_URL": crm.baseURL, "LEADLEDGER_AMOCRM_TOKEN": FakeAmoCRMProcess.token]
        let server = try ServeProcess(settings: settings)
        try server.start()
        let path = server.directory.file("lost.csv")
        try
            ("\u{FEFF}Имя;Телефон;Комментарий;Дата\r\n"
            + "Ирина;+7 916 555-70-01;\"Нужен замер; срочно\";20.11.2024 10:15\r\n"
            + "Олег;8 916 555-70-02;;20.11.2024 11:40\r\n")
            .write(toFile: path, atomically: true, encoding: .utf8)
        let first = try importFile(path, into: server)
        #expect(first.status == 0, "\(first.output)")
        let imported = Set((first.output["leads"] as? [[String: Any]] ?? []).compactMap { $0["lead_id"] as? String })
        #expect(imported.count == 2)

        let react = try ReactProcess(log: server, settings: settings)
        var created: [[String: Any]] = []
        for _ in 0..<200 {  // at most 20 s
            created = try await crm.state()["leads"] as? [[String: Any]] ?? []
            if created.count >= imported.count { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let again = try importFile(path, into: server)
        try await Task.sleep(for: .milliseconds(1000))  // a duplicate, if any, would arrive now
        let state = try await crm.state()
        let stopped = react.stop()
        server.stop()
        #expect(stopped.status == 0, "\(stopped.stderr)")
        #expect(again.status == 0)
        #expect(again.output["imported"] as? Int == 0, "\(again.output)")
        #expect(Set(created.compactMap { $0["request_id"] as? String }) == imported)
        #expect((state["leads"] as? [Any])?.count == imported.count)
        #expect((state["duplicates"] as? [String: Any])?.isEmpty == true)
        let notes = state["notes"] as? [[String: Any]] ?? []
        #expect(notes.contains { ($0["text"] as? String)?.contains("Нужен замер; срочно") == true }, "\(notes)")
        let log = try EventLog.open(path: server.dbPath)
        #expect(Set(try log.events(EventQuery(type: .syncSucceeded, limit: 100)).map(\.stream)) == imported)
        #expect(try log.verify().isIntact)
    }
}
