import Foundation
import LedgerCore
import LedgerStore
import LedgerTesting

struct FixtureError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// A product built by `swift build` (make test builds everything before testing). Looks first next to the running
/// test bundle (so `swift test --scratch-path X` tests the binary built into X), then in `.build/debug` and
/// `.build-helper/debug`. A missing binary is a failure, never a skip.
func builtProduct(_ name: String) throws -> String {
    var candidates: [String] = []
    if let runner = CommandLine.arguments.first, runner.hasPrefix("/") {
        // The test runner is `<scratch>/debug/LeadLedgerPackageTests.xctest` (a file on Linux, a bundle on macOS).
        var directory = URL(fileURLWithPath: runner).deletingLastPathComponent()
        if directory.lastPathComponent == "MacOS" {
            directory = directory.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        }
        candidates.append(directory.appendingPathComponent(name).path)
    }
    for scratch in [".build", ".build-helper"] {
        candidates.append(packageRoot.appendingPathComponent("\(scratch)/debug/\(name)").path)
    }
    for path in candidates where FileManager.default.isExecutableFile(atPath: path) { return path }
    throw FixtureError(
        message: "\(name) is not built (looked in \(candidates.joined(separator: ", "))): "
            + "run `swift build` (make test does) before `swift test`")
}

/// What one run of a process produced.
struct CLIResult: CustomStringConvertible {
    var code: Int32
    var stdout: String
    var stderr: String

    var description: String { "exit \(code)\n--- stdout\n\(stdout)\n--- stderr\n\(stderr)" }
    /// Standard output split into its non-empty lines.
    var lines: [String] { stdout.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) }
}

/// Runs a process to completion and returns its exit code and output.
///
/// The environment is the parent's minus every `LEADLEDGER_*` variable (so a developer's settings never leak into a
/// test), plus `environment`. Output goes to files rather than pipes, so a chatty process can never deadlock on a
/// full pipe; a process that runs longer than `timeout` is killed and reported.
@discardableResult
func run(
    _ executable: String, _ arguments: [String], environment: [String: String] = [:], directory: String? = nil,
    timeout: TimeInterval = 120
) throws -> CLIResult {
    let scratch = try TemporaryDirectory(prefix: "leadledger-cli-run")
    let outPath = scratch.file("stdout")
    let errPath = scratch.file("stderr")
    guard FileManager.default.createFile(atPath: outPath, contents: nil),
        FileManager.default.createFile(atPath: errPath, contents: nil)
    else { throw FixtureError(message: "cannot create output files in \(scratch.path)") }
    let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
    let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
    defer {
        try? out.close()
        try? err.close()
    }

    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    var inherited = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("LEADLEDGER_") }
    inherited.merge(environment) { $1 }
    process.environment = inherited
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = out
    process.standardError = err
    let exit = try ProcessExit.launch(process)
    if !exit.wait(timeout: .seconds(timeout)) {
        process.terminate()
        exit.wait()
        throw FixtureError(message: "\(executable) \(arguments.joined(separator: " ")) did not finish in \(timeout) s")
    }
    let stdout = FileManager.default.contents(atPath: outPath) ?? Data()
    let stderr = FileManager.default.contents(atPath: errPath) ?? Data()
    return CLIResult(
        code: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
        stderr: String(decoding: stderr, as: UTF8.self))
}

/// One test's world: its own directory, its own log file, and the `leadledger` binary pointed at it through
/// `LEADLEDGER_DB`. Logs are written through the library in the test process and closed before the binary runs,
/// the way an auditor meets a file.
struct Workspace {
    let directory: TemporaryDirectory
    let binary: String

    /// 2026-11-19T08:53:20Z, the fixtures' usual start.
    static let defaultStart = Timestamp(millisecondsSinceEpoch: 1_795_000_000_000)

    init() throws {
        binary = try builtProduct("leadledger")
        directory = try TemporaryDirectory(prefix: "leadledger-cli")
    }

    var databasePath: String { directory.file("ledger.sqlite") }

    /// Opens the log with a manual clock, runs `body`, and closes the log again (the pool is released on return).
    func withLog<T>(start: Timestamp = Workspace.defaultStart, _ body: (EventLog, ManualClock) throws -> T) throws -> T {
        let clock = ManualClock(start)
        let log = try EventLog.open(path: databasePath, clock: clock)
        return try body(log, clock)
    }

    /// Writes a seeded, realistic history; returns what it wrote.
    @discardableResult
    func generate(leads: Int, seed: UInt64) throws -> LeadHistoryGenerator.Summary {
        try withLog { log, clock in try LeadHistoryGenerator.write(leads: leads, to: log, clock: clock, seed: seed) }
    }

    /// Runs `leadledger` with `LEADLEDGER_DB` set to this workspace's log, in this workspace's directory.
    @discardableResult
    func leadledger(_ arguments: String..., environment: [String: String] = [:]) throws -> CLIResult {
        try leadledger(arguments, environment: environment)
    }

    @discardableResult
    func leadledger(_ arguments: [String], environment: [String: String] = [:]) throws -> CLIResult {
        try run(
            binary, arguments, environment: ["LEADLEDGER_DB": databasePath].merging(environment) { $1 },
            directory: directory.path)
    }

    /// Writes `text` to a file in the workspace and returns its path.
    func write(_ name: String, _ text: String) throws -> String {
        let path = directory.file(name)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}

// MARK: - Reading JSON output

/// Parses one JSON object, failing with the offending text.
func jsonObject(_ text: String) throws -> [String: Any] {
    guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
        throw FixtureError(message: "not a JSON object: \(text.prefix(2000))")
    }
    return object
}

/// Every line of standard output as a JSON object.
func jsonLines(_ result: CLIResult) throws -> [[String: Any]] {
    try result.lines.map(jsonObject)
}

func int(_ value: Any?) -> Int? {
    if let number = value as? NSNumber { return number.intValue }
    return value as? Int
}

func bool(_ value: Any?) -> Bool? {
    if let flag = value as? Bool { return flag }
    return (value as? NSNumber)?.boolValue
}

/// `object["a"]["b"]…`, or nil.
func field(_ object: [String: Any], _ path: String...) -> Any? {
    var current: Any? = object
    for key in path { current = (current as? [String: Any])?[key] }
    return current
}

// MARK: - Writing known scenarios

/// A lead with personal data, as ingest would hand it over.
func knownLead(
    at time: Timestamp, phone: String = "+79161234567", name: String = "Иван Петров", source: String? = "yandex",
    key: String? = nil
) -> NewLead {
    NewLead(
        leadID: LeadID.make(at: time), receivedAt: time, formID: "main", utm: UTM(source: source, campaign: "brand"),
        idempotencyKey: key,
        personal: PersonalData(name: name, phone: phone, email: "ivan@example.ru", comment: "Перезвоните"))
}

func attempted(_ lead: LeadID, _ number: Int = 1) -> PendingEvent { SyncEventBuilders.attempted(lead, number) }

/// A failure; `retryAt == nil` dead-letters the lead (rejected, no retry).
func failed(_ lead: LeadID, _ number: Int = 1, retryAt: Timestamp?) -> PendingEvent {
    SyncEventBuilders.failed(lead, number, retryAt: retryAt)
}

func succeeded(_ lead: LeadID, _ number: Int = 1, crmLeadID: Int64 = 4242) -> PendingEvent {
    SyncEventBuilders.succeeded(lead, number, crmLeadID: crmLeadID)
}

func at(_ iso: String) throws -> Timestamp {
    guard let time = Timestamp(iso8601: iso) else { throw FixtureError(message: "bad time \(iso)") }
    return time
}
