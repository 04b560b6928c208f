import Foundation
import LedgerTesting

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `tools/fake_amocrm.py` on 127.0.0.1 and a free port, with its control API.
final class FakeAmoCRMProcess: @unchecked Sendable {
    // @unchecked Sendable: used by the one test that owns it.
    private let process = Process()
    private let directory: TemporaryDirectory
    private(set) var port = 0
    static let token = "fake-token"

    init(searchLagSeconds: Double = 0) throws {
        directory = try TemporaryDirectory(prefix: "leadledger-fake-amocrm")
        let portFile = directory.file("port")
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", packageRoot.appendingPathComponent("tools/fake_amocrm.py").path, "--port", "0", "--port-file", portFile,
            "--token", Self.token, "--search-lag-s", "\(searchLagSeconds)",
        ]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        for _ in 0..<100 {
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8),
                let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
            {
                self.port = port
                return
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        process.terminate()
        throw HarnessError(message: "the fake AmoCRM did not start")
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// `GET /_fake/state`.
    func state() async throws -> [String: Any] {
        guard let url = URL(string: "\(baseURL)/_fake/state") else { throw HarnessError(message: "bad url") }
        let (data, _) = try await URLSession.shared.data(from: url)
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw HarnessError(message: "state is not a JSON object")
        }
        return object
    }

    /// `POST /_fake/PATH` with a JSON body: a fault mode, a seeded lead.
    @discardableResult
    func control(_ path: String, _ body: [String: Any]) async throws -> [String: Any] {
        guard let url = URL(string: "\(baseURL)/_fake/\(path)") else { throw HarnessError(message: "bad url") }
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = try JSONSerialization.data(withJSONObject: body)
        let (data, _) = try await URLSession.shared.data(for: request)
        return (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    deinit { stop() }
}

/// A real `leadledger react` over a `ServeProcess`'s log. Its stderr goes to a file (a pipe's write end stays open in
/// the test process, so reading it to the end would wait forever).
final class ReactProcess: @unchecked Sendable {
    let process = Process()
    private let directory: TemporaryDirectory
    private let errorPath: String
    private let outputPath: String

    init(log server: ServeProcess, settings: [String: String]) throws {
        directory = try TemporaryDirectory(prefix: "leadledger-react")
        errorPath = directory.file("stderr")
        outputPath = directory.file("stdout")
        guard FileManager.default.createFile(atPath: errorPath, contents: nil),
            FileManager.default.createFile(atPath: outputPath, contents: nil)
        else {
            throw HarnessError(message: "cannot create \(errorPath)")
        }
        process.executableURL = URL(fileURLWithPath: try leadledgerBinary())
        process.arguments = ["react"]
        process.environment = server.environment.merging(settings) { $1 }
        process.standardOutput = FileHandle(forWritingAtPath: outputPath)
        process.standardError = FileHandle(forWritingAtPath: errorPath)
        try process.run()
    }

    /// What it has printed to stdout so far.
    var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }

    /// Waits (at most 10 s) for it to exit by itself.
    func waitForExit() async throws {
        for _ in 0..<100 where process.isRunning { try await Task.sleep(for: .milliseconds(100)) }
    }

    /// Stops it with SIGTERM (if still running) and returns its exit status and what it wrote to stderr.
    func stop() -> (status: Int32, stderr: String) {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        return (process.terminationStatus, (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "")
    }
}
