import Foundation
import LedgerCore
import LedgerStore
import LedgerTesting

/// A lead with personal data, as ingest would hand it over.
func sampleLead(_ number: Int = 0, at time: Timestamp, key: String? = nil) -> NewLead {
    NewLead(
        leadID: LeadID.make(at: time), receivedAt: time, formID: "main", utm: UTM(source: "yandex"),
        idempotencyKey: key,
        personal: PersonalData(
            name: "Иван \(number)", phone: "+7916555\(String(format: "%04d", number))", email: "ivan\(number)@example.ru"))
}

func attempt(_ lead: LeadID, _ number: Int = 1) -> LedgerEvent {
    .syncAttempted(SyncAttempted(leadID: lead, attempt: number, attemptID: "\(lead)-\(number)", target: .amocrm))
}

/// A product built by `swift build` (make test builds everything before testing).
func builtProduct(_ name: String) throws -> String {
    for configuration in ["debug", "release"] {
        let path = packageRoot.appendingPathComponent(".build/\(configuration)/\(name)").path
        if FileManager.default.isExecutableFile(atPath: path) { return path }
    }
    throw FixtureError(message: "\(name) is not built: run `swift build` (make test does) before `swift test`")
}

struct FixtureError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// Runs a process to completion and returns its exit code and output.
@discardableResult
func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> (
    code: Int32, stdout: String, stderr: String
) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    let exit = try ProcessExit.launch(process)
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    exit.wait()
    return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
}
