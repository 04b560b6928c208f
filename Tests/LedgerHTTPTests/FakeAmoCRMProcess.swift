import Foundation
import LedgerTesting

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `tools/fake_amocrm.py`, with its control API (`FakeServerProcess`).
final class FakeAmoCRMProcess: Sendable {
    let server: FakeServerProcess
    static let token = "fake-token"

    /// - Parameter search: how its `query` search behaves: `exact`, `fuzzy`, `lagging`, `ignored` or `missing`.
    init(searchLagSeconds: Double = 0, search: String = "exact") throws {
        server = try FakeServerProcess(
            script: "tools/fake_amocrm.py",
            arguments: ["--token", Self.token, "--search-lag-s", "\(searchLagSeconds)", "--search", search])
    }

    var port: Int { server.port }
    var baseURL: String { server.baseURL }

    func state() async throws -> [String: Any] { try await server.state() }

    /// `POST /_fake/PATH` with a JSON body: a fault mode, a seeded lead.
    @discardableResult
    func control(_ path: String, _ body: [String: Any]) async throws -> [String: Any] {
        try await server.control(path, body).body
    }

    func stop() { server.stop() }
}

/// A real `leadledger react` over a `ServeProcess`'s log. Its stderr goes to a file (a pipe's write end stays open in
/// the test process, so reading it to the end would wait forever).
final class ReactProcess: @unchecked Sendable {
    let process = Process()
    let exit: ProcessExit
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
        exit = try ProcessExit.launch(process)
    }

    /// What it has printed to stdout so far.
    var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }

    /// Waits (at most 10 s) for it to exit by itself.
    func waitForExit() async throws {
        for _ in 0..<100 where !exit.hasEnded { try await Task.sleep(for: .milliseconds(100)) }
    }

    /// Stops it with SIGTERM (if still running) and returns its exit status and what it wrote to stderr.
    func stop() -> (status: Int32, stderr: String) {
        if !exit.hasEnded { process.terminate() }
        exit.wait()
        return (process.terminationStatus, (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "")
    }
}
