import Foundation
import LedgerTesting

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The built `leadledger` binary (make test builds it first); a missing binary fails the test, never skips it.
func leadledgerBinary() throws -> String {
    var candidates: [String] = []
    if let runner = CommandLine.arguments.first, runner.hasPrefix("/") {
        candidates.append(URL(fileURLWithPath: runner).deletingLastPathComponent().appendingPathComponent("leadledger").path)
    }
    candidates.append(packageRoot.appendingPathComponent(".build/debug/leadledger").path)
    guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
        throw HarnessError(message: "leadledger is not built: run `swift build` (make test does) before `swift test`")
    }
    return found
}

/// Runs `leadledger` to completion with `environment`; output through files, so nothing can block on a pipe.
func runLeadledger(_ arguments: [String], _ environment: [String: String]) throws -> (
    status: Int32, stdout: String, stderr: String
) {
    let directory = try TemporaryDirectory(prefix: "leadledger-run")
    let out = directory.file("stdout")
    let err = directory.file("stderr")
    _ = FileManager.default.createFile(atPath: out, contents: nil)
    _ = FileManager.default.createFile(atPath: err, contents: nil)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try leadledgerBinary())
    process.arguments = arguments
    process.environment = environment
    process.standardOutput = FileHandle(forWritingAtPath: out)
    process.standardError = FileHandle(forWritingAtPath: err)
    try ProcessExit.launch(process).wait()
    return (
        process.terminationStatus, (try? String(contentsOfFile: out, encoding: .utf8)) ?? "",
        (try? String(contentsOfFile: err, encoding: .utf8)) ?? ""
    )
}

/// A real `leadledger serve` on 127.0.0.1 and a free port, over a log in its own temporary directory.
final class ServeProcess: @unchecked Sendable {
    // @unchecked Sendable because the process handle is only touched from the test that owns it.
    let directory: TemporaryDirectory
    var dbPath: String { directory.file("ledger.sqlite") }
    private var process: Process?
    private var exit: ProcessExit?
    private(set) var port = 0
    /// Extra settings for the server process, e.g. secrets a test checks never leak.
    let settings: [String: String]
    /// Shell commands run before `exec leadledger serve` (`ulimit -n 1024; umask 000`): the limits and umask a
    /// service manager might start it with.
    let shellPrefix: String?
    /// What the server wrote to standard error.
    var standardError: String { (try? String(contentsOfFile: directory.file("stderr"), encoding: .utf8)) ?? "" }

    init(settings: [String: String] = [:], shellPrefix: String? = nil) throws {
        directory = try TemporaryDirectory(prefix: "leadledger-serve")
        self.settings = settings
        self.shellPrefix = shellPrefix
    }

    var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("LEADLEDGER_") }
        environment["LEADLEDGER_DB"] = dbPath
        environment["LEADLEDGER_HOST"] = "127.0.0.1"
        environment["LEADLEDGER_PORT"] = "0"
        // The disk and memory rules judge the machine the tests run on; their own tests are pure (AlertRulesTests).
        // Here they are set where no machine reaches them, so a test's alerts depend on what the test does.
        environment["LEADLEDGER_ALERT_DISK_FREE_MB"] = "1"
        environment["LEADLEDGER_ALERT_MEMORY_PERCENT"] = "99"
        environment["LEADLEDGER_MEMORY_LIMIT_MB"] = "1000000"
        // Every test client is 127.0.0.1, so the per-address limits would count a whole suite as one visitor; the
        // tests of those limits set them (ServeIngestTests, ServeFrontDoorTests).
        environment["LEADLEDGER_RATE_LIMIT_PER_MIN"] = "0"
        environment["LEADLEDGER_MAX_CONNECTIONS_PER_IP"] = "100000"
        environment.merge(settings) { $1 }
        return environment
    }

    /// Starts the server and waits (bounded) for its "listening on" line.
    func start() throws {
        let process = Process()
        if let shellPrefix {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "\(shellPrefix); exec \"$0\" serve", try leadledgerBinary()]
        } else {
            process.executableURL = URL(fileURLWithPath: try leadledgerBinary())
            process.arguments = ["serve"]
        }
        process.environment = environment
        let out = directory.file("stdout-\(UUID().uuidString)")
        let errors = directory.file("stderr")
        guard FileManager.default.createFile(atPath: out, contents: nil),
            FileManager.default.createFile(atPath: errors, contents: nil)
        else {
            throw HarnessError(message: "cannot create \(out)")
        }
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errors))
        let exit = try ProcessExit.launch(process)
        self.process = process
        self.exit = exit
        for _ in 0..<400 {
            if exit.hasEnded {
                self.process = nil
                self.exit = nil
                throw HarnessError(message: "leadledger serve exited \(process.terminationStatus): \(standardError)")
            }
            if let text = try? String(contentsOfFile: out, encoding: .utf8),
                let range = text.range(of: #"listening on http://127\.0\.0\.1:[0-9]+"#, options: .regularExpression),
                let port = Int(text[range].split(separator: ":").last ?? "")
            {
                self.port = port
                return
            }
            usleep(25_000)
        }
        process.terminate()
        throw HarnessError(message: "leadledger serve did not report listening within 10 s")
    }

    /// Sends `signal` and waits for the process to end; returns its exit status.
    @discardableResult
    func stop(_ signal: Int32 = SIGTERM) -> Int32 {
        guard let process, let exit else { return -1 }
        kill(process.processIdentifier, signal)
        exit.wait()
        self.process = nil
        self.exit = nil
        return process.terminationStatus
    }

    /// Sends `signal` without waiting for the process to end.
    func signal(_ signal: Int32) {
        if let process { kill(process.processIdentifier, signal) }
    }

    deinit {
        if let process, let exit, !exit.hasEnded {
            kill(process.processIdentifier, SIGKILL)
            exit.wait()
        }
    }

    /// POSTs to /api/leads and returns status and JSON body.
    func post(
        _ body: String, contentType: String = "application/json", idempotencyKey: String? = nil
    ) async throws -> (status: Int, json: [String: Any]) {
        guard let url = URL(string: "http://127.0.0.1:\(port)/api/leads") else { throw HarnessError(message: "bad url") }
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.httpBody = Data(body.utf8)
        request.setValue(contentType, forHTTPHeaderField: "Content-Type")
        if let idempotencyKey { request.setValue(idempotencyKey, forHTTPHeaderField: "Idempotency-Key") }
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? -1
        let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        return (status, json)
    }

    func get(_ path: String, bearer: String? = nil) async throws -> (status: Int, body: String) {
        try await send("GET", path, bearer: bearer)
    }

    /// Any request; returns status and response headers (lowercased names).
    func request(
        _ method: String, _ path: String, headers: [String: String], body: String? = nil
    ) async throws -> (status: Int, headers: [String: String]) {
        guard let url = URL(string: "http://127.0.0.1:\(port)\(path)") else { throw HarnessError(message: "bad url") }
        var request = URLRequest(url: url)
        request.httpMethod = method
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        request.httpBody = body.map { Data($0.utf8) }
        let (_, response) = try await URLSession.shared.data(for: request)
        let http = response as? HTTPURLResponse
        var fields: [String: String] = [:]
        for (name, value) in http?.allHeaderFields ?? [:] {
            if let name = name as? String, let value = value as? String { fields[name.lowercased()] = value }
        }
        return (http?.statusCode ?? -1, fields)
    }

    func send(_ method: String, _ path: String, bearer: String? = nil) async throws -> (status: Int, body: String) {
        guard let url = URL(string: "http://127.0.0.1:\(port)\(path)") else { throw HarnessError(message: "bad url") }
        var request = URLRequest(url: url)
        request.httpMethod = method
        if let bearer { request.setValue("Bearer \(bearer)", forHTTPHeaderField: "Authorization") }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? -1, String(decoding: data, as: UTF8.self))
    }
}
