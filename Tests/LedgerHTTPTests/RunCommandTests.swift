import Foundation
import LedgerCore
import LedgerStore
import LedgerTesting
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `leadledger run` as a newcomer uses it: no AmoCRM configured, so a sandbox CRM starts; a lead posted to `serve`
/// arrives there through `react`; a killed child comes back; SIGTERM stops everything.
@Suite(.serialized)
struct RunCommandTests {
    /// The lines `run` and its children have written so far.
    private func output(_ path: String) -> [String] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// The last number after `prefix` in the output, waiting (at most 20 s) for one that `accept` takes.
    private func waitForNumber(
        _ path: String, after prefix: String, accept: (Int) -> Bool = { _ in true }
    ) async throws -> Int {
        for _ in 0..<200 {
            let numbers = output(path).compactMap { line -> Int? in
                guard let range = line.range(of: prefix) else { return nil }
                return Int(line[range.upperBound...].prefix { $0.isNumber })
            }
            if let last = numbers.last, accept(last) { return last }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw HarnessError(message: "no \"\(prefix)\" in the output of run:\n\(output(path).joined(separator: "\n"))")
    }

    private func post(port: Int, phone: String) async throws -> Int {
        guard let url = URL(string: "http://127.0.0.1:\(port)/api/leads") else { throw HarnessError(message: "bad url") }
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(#"{"phone":"\#(phone)"}"#.utf8)
        let (_, response) = try await URLSession.shared.data(for: request)
        return (response as? HTTPURLResponse)?.statusCode ?? 0
    }

    private func sandboxLeads(port: Int) async throws -> Int {
        guard let url = URL(string: "http://127.0.0.1:\(port)/_fake/state") else { throw HarnessError(message: "bad url") }
        let (data, _) = try await URLSession.shared.data(from: url)
        return (try JSONSerialization.jsonObject(with: data) as? [String: Any])?["created_total"] as? Int ?? 0
    }

    private func waitForSandboxLeads(port: Int, _ count: Int) async throws -> Int {
        for _ in 0..<200 {
            let created = try await sandboxLeads(port: port)
            if created >= count { return created }
            try await Task.sleep(for: .milliseconds(100))
        }
        return try await sandboxLeads(port: port)
    }

    private func isAlive(_ pid: Int) -> Bool { kill(pid_t(pid), 0) == 0 }

    @Test func aLeadReachesTheSandboxCRMAKilledChildIsRestartedAndSIGTERMStopsEveryProcess() async throws {
        let directory = try TemporaryDirectory(prefix: "leadledger-run")
        let outPath = directory.file("out")
        #expect(FileManager.default.createFile(atPath: outPath, contents: nil))
        let run = Process()
        run.executableURL = URL(fileURLWithPath: try leadledgerBinary())
        run.arguments = ["run"]
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("LEADLEDGER_") }
        environment["LEADLEDGER_DB"] = directory.file("ledger.sqlite")
        environment["LEADLEDGER_PORT"] = "0"
        run.environment = environment
        // The working directory has no tools/: the sandbox is found from the binary's own location.
        run.currentDirectoryURL = URL(fileURLWithPath: directory.path)
        // One handle for both streams: two would each write from offset 0 over the other's lines.
        let out = FileHandle(forWritingAtPath: outPath)
        run.standardOutput = out
        run.standardError = out
        let runExit = try ProcessExit.launch(run)
        defer { if !runExit.hasEnded { run.terminate() } }

        let sandboxPort = try await waitForNumber(outPath, after: ") on http://127.0.0.1:")
        let sandboxPID = try await waitForNumber(outPath, after: "sandbox AmoCRM (pid ")
        let firstServe = try await waitForNumber(outPath, after: "started serve (pid ")
        let reactPID = try await waitForNumber(outPath, after: "started react (pid ")
        let firstPort = try await waitForNumber(outPath, after: "listening on http://127.0.0.1:")
        #expect(
            output(outPath).contains { $0.contains("dashboard: http://127.0.0.1:\(firstPort)/") },
            "run says where the dashboard is")
        #expect(
            output(outPath).contains { $0.hasPrefix("leadledger run: descriptor limit") },
            "run says what descriptor limit its children start with")
        #expect(try await post(port: firstPort, phone: "+79165557001") == 201)
        #expect(try await waitForSandboxLeads(port: sandboxPort, 1) == 1, "the lead went serve → log → react → sandbox")

        kill(pid_t(firstServe), SIGKILL)
        let secondServe = try await waitForNumber(outPath, after: "started serve (pid ") { $0 != firstServe }
        for _ in 0..<200 where output(outPath).filter({ $0.contains("listening on http://127.0.0.1:") }).count < 2 {
            try await Task.sleep(for: .milliseconds(100))
        }
        let secondPort = try await waitForNumber(outPath, after: "listening on http://127.0.0.1:")
        #expect(secondPort == firstPort, "the restarted serve is back on the same port")
        #expect(try await post(port: secondPort, phone: "+79165557002") == 201)
        #expect(try await waitForSandboxLeads(port: sandboxPort, 2) == 2)
        #expect(output(outPath).contains { $0.contains("serve (pid \(firstServe)) was killed by signal 9") })

        run.terminate()
        for _ in 0..<300 where !runExit.hasEnded { try await Task.sleep(for: .milliseconds(100)) }
        #expect(runExit.hasEnded, "run stops within 30 s of SIGTERM")
        #expect(run.terminationStatus == 0, "\(output(outPath).suffix(20).joined(separator: "\n"))")
        for pid in [secondServe, reactPID, sandboxPID] {
            #expect(!isAlive(pid), "child \(pid) was stopped with run")
        }
        let log = try EventLog.open(path: directory.file("ledger.sqlite"))
        #expect(try log.events(EventQuery(type: .syncSucceeded, limit: 10)).count == 2)
        #expect(try log.verify().isIntact)
    }
}
