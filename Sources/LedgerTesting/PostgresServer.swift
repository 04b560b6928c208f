import Foundation

/// A throwaway PostgreSQL cluster for tests (`tools/pg/cluster.py`): a real server on 127.0.0.1, started once per
/// test process and stopped by the script's watchdog when the process ends. Each test takes a database of its own
/// (`makeDatabase()`), so tests run in parallel without seeing each other's ledgers.
public final class PostgresServer: Sendable {
    /// The cluster every test of this process shares.
    public static let shared = Result { try PostgresServer() }

    /// The superuser's URL to the cluster's first database (password included: for tests only).
    public let url: String
    public let port: Int
    public let password: String
    private let directory: String

    /// Starts a cluster of its own (a test that changes server settings must not share one).
    public init() throws {
        directory = FileManager.default.temporaryDirectory.path + "/leadledger-pg-\(UUID().uuidString.lowercased())"
        let output = try Self.run(
            [
                "python3", packageRoot.appendingPathComponent("tools/pg/cluster.py").path, "start", "--dir", directory,
                "--owner-pid", String(ProcessInfo.processInfo.processIdentifier),
            ])
        url = output.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let components = URLComponents(string: url), let port = components.port, let password = components.password
        else {
            throw PostgresServerError(message: "cluster.py printed no URL: \(output)")
        }
        self.port = port
        self.password = password
    }

    /// A new, empty database; returns its URL.
    public func makeDatabase() throws -> String {
        let name = "ledger_\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""))"
        try sql("CREATE DATABASE \(name)")
        return "postgres://postgres:\(password)@127.0.0.1:\(port)/\(name)?sslmode=disable"
    }

    /// Runs `statement` as the superuser with psql, in `database` (a URL) or the cluster's first database; returns
    /// psql's output, or throws with its error (a refused UPDATE, a failed DDL).
    @discardableResult
    public func sql(_ statement: String, in database: String? = nil) throws -> String {
        try Self.run(["psql", database ?? url, "-v", "ON_ERROR_STOP=1", "-qAt", "-c", statement])
    }

    /// Runs a SQL file with psql variables (`-v name=value`), as the superuser in `database` (a URL).
    public func run(file: String, variables: [String: String], in database: String) throws {
        let settings = variables.sorted { $0.key < $1.key }.flatMap { ["-v", "\($0.key)=\($0.value)"] }
        _ = try Self.run(["psql", database, "-v", "ON_ERROR_STOP=1", "-qAt"] + settings + ["-f", file])
    }

    /// `pg_ctl restart -m immediate`: the server drops every connection without a checkpoint, as in a crash, and
    /// comes back (crash recovery replays the WAL). Returns once it accepts connections again.
    public func restartImmediately() throws {
        _ = try Self.run(
            ["python3", packageRoot.appendingPathComponent("tools/pg/cluster.py").path, "restart", "--dir", directory])
    }

    /// Stops this cluster now (the shared one is left to its watchdog).
    public func stop() throws {
        _ = try Self.run(
            ["python3", packageRoot.appendingPathComponent("tools/pg/cluster.py").path, "stop", "--dir", directory])
    }

    private static func run(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw PostgresServerError(message: "\(arguments.prefix(3).joined(separator: " ")): \(errorText)")
        }
        return text
    }
}

/// The cluster could not be started or asked.
public struct PostgresServerError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
