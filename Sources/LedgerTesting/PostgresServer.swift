import Foundation

/// A throwaway PostgreSQL cluster for tests (`tools/pg/cluster.py`): a real server on 127.0.0.1, started once per
/// test process and stopped by the script's watchdog when the process ends. Each test takes a database of its own
/// (`makeDatabase()`), so tests run in parallel without seeing each other's ledgers.
public final class PostgresServer: Sendable {
    /// The cluster every test of this process shares, started by the first test that asks.
    public static func shared() async throws -> PostgresServer { try await SharedCluster.instance.get() }

    /// The superuser's URL to the cluster's first database (password included: for tests only).
    public let url: String
    public let port: Int
    public let password: String
    private let directory: String

    private init(url: String, port: Int, password: String, directory: String) {
        self.url = url
        self.port = port
        self.password = password
        self.directory = directory
    }

    /// Starts a cluster of its own (a test that changes server settings or restarts the server must not share one).
    public static func start() async throws -> PostgresServer {
        let directory = FileManager.default.temporaryDirectory.path + "/leadledger-pg-\(UUID().uuidString.lowercased())"
        let output = try await run(
            [
                "python3", packageRoot.appendingPathComponent("tools/pg/cluster.py").path, "start", "--dir", directory,
                "--owner-pid", String(ProcessInfo.processInfo.processIdentifier),
            ])
        let url = output.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let components = URLComponents(string: url), let port = components.port, let password = components.password
        else {
            throw PostgresServerError(message: "cluster.py printed no URL: \(output)")
        }
        return PostgresServer(url: url, port: port, password: password, directory: directory)
    }

    /// A new, empty database; returns its URL.
    public func makeDatabase() async throws -> String {
        let name = "ledger_\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""))"
        try await sql("CREATE DATABASE \(name)")
        return "postgres://postgres:\(password)@127.0.0.1:\(port)/\(name)?sslmode=disable"
    }

    /// Runs `statement` as the superuser with psql, in `database` (a URL) or the cluster's first database; returns
    /// psql's output, or throws with its error (a refused UPDATE, a failed DDL).
    @discardableResult
    public func sql(_ statement: String, in database: String? = nil) async throws -> String {
        try await Self.run(["psql", database ?? url, "-v", "ON_ERROR_STOP=1", "-qAt", "-c", statement])
    }

    /// Runs a SQL file with psql variables (`-v name=value`), as the superuser in `database` (a URL).
    public func run(file: String, variables: [String: String], in database: String) async throws {
        let settings = variables.sorted { $0.key < $1.key }.flatMap { ["-v", "\($0.key)=\($0.value)"] }
        _ = try await Self.run(["psql", database, "-v", "ON_ERROR_STOP=1", "-qAt"] + settings + ["-f", file])
    }

    /// `pg_ctl restart -m immediate`: the server drops every connection without a checkpoint, as in a crash, and
    /// comes back (crash recovery replays the WAL). Returns once it accepts connections again.
    public func restartImmediately() async throws {
        _ = try await Self.run(
            ["python3", packageRoot.appendingPathComponent("tools/pg/cluster.py").path, "restart", "--dir", directory])
    }

    /// Stops this cluster now (the shared one is left to its watchdog, as is one whose test failed first).
    public func stop() async throws {
        _ = try await Self.run(
            ["python3", packageRoot.appendingPathComponent("tools/pg/cluster.py").path, "stop", "--dir", directory])
    }

    /// Runs a process and waits for it without holding a thread: its output goes through files, so nothing blocks on a
    /// pipe, and its exit arrives through `ProcessExit`.
    private static func run(_ arguments: [String]) async throws -> String {
        let directory = FileManager.default.temporaryDirectory.path + "/leadledger-pg-run-\(UUID().uuidString.lowercased())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let outPath = directory + "/stdout"
        let errPath = directory + "/stderr"
        guard FileManager.default.createFile(atPath: outPath, contents: nil),
            FileManager.default.createFile(atPath: errPath, contents: nil),
            let out = FileHandle(forWritingAtPath: outPath), let err = FileHandle(forWritingAtPath: errPath)
        else { throw PostgresServerError(message: "cannot create output files in \(directory)") }
        defer {
            try? out.close()
            try? err.close()
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = out
        process.standardError = err
        try await ProcessExit.launch(process).exited()
        let text = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0 else {
            let errorText = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
            throw PostgresServerError(message: "\(arguments.prefix(3).joined(separator: " ")): \(errorText)")
        }
        return text
    }
}

/// Starts the shared cluster once, however many tests ask at the same time.
private actor SharedCluster {
    static let instance = SharedCluster()
    private var starting: Task<PostgresServer, any Error>?

    func get() async throws -> PostgresServer {
        if let starting { return try await starting.value }
        let task = Task { try await PostgresServer.start() }
        starting = task
        return try await task.value
    }
}

/// The cluster could not be started or asked.
public struct PostgresServerError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }

    public init(message: String) { self.message = message }
}
