import Foundation
import LedgerCore
import LedgerStore
import LedgerTesting
import Testing

/// `leadledger migrate --to`, run as a real process from a SQLite log written by the library into a real PostgreSQL.
struct MigrateCommandTests {
    @Test func aLogIsCopiedVerifiedAndASecondRunCopiesNothing() async throws {
        let workspace = try Workspace()
        let summary = try workspace.generate(leads: 40, seed: 3)
        let server = try await PostgresServer.shared()
        let target = try await server.makeDatabase()
        let first = try workspace.leadledger("migrate", "--to", target, "--batch", "50")
        #expect(first.code == 0, "\(first)")
        #expect(first.stdout.contains("\(summary.events) events copied (0 already there), verified"), "\(first)")
        #expect(!first.stdout.contains(server.password), "the password is never printed")
        let second = try workspace.leadledger("migrate", "--to", target)
        #expect(second.code == 0, "\(second)")
        #expect(second.stdout.contains("0 events copied (\(summary.events) already there)"), "\(second)")
        let count = try await server.sql("SELECT count(*) FROM event", in: target)
        #expect(count.trimmingCharacters(in: .whitespacesAndNewlines) == "\(summary.events)")
    }

    @Test func aWrongPasswordFailsNamingTheSettingNotThePassword() async throws {
        let workspace = try Workspace()
        try workspace.generate(leads: 2, seed: 1)
        let server = try await PostgresServer.shared()
        let wrong = "postgres://postgres:wrong-secret-42@127.0.0.1:\(server.port)/leadledger?sslmode=disable"
        let result = try workspace.leadledger("migrate", "--to", wrong)
        #expect(result.code == 3, "\(result)")
        #expect(result.stderr.contains("LEADLEDGER_DB_PASSWORD"), "\(result)")
        #expect(!(result.stdout + result.stderr).contains("wrong-secret-42"))
    }

    @Test func aPasswordFromItsOwnSettingIsUsedWhenTheURLHasNone() async throws {
        let workspace = try Workspace()
        try workspace.generate(leads: 2, seed: 2)
        let server = try await PostgresServer.shared()
        let target = try await server.makeDatabase().replacingOccurrences(of: ":\(server.password)@", with: "@")
        let result = try workspace.leadledger(
            ["migrate", "--to", target], environment: ["LEADLEDGER_DB_PASSWORD": server.password])
        #expect(result.code == 0, "\(result)")
    }

    /// `--batch` is bounded 1…10000: both sides are usage errors before anything connects.
    @Test func theBatchSizeIsCheckedOnBothSides() async throws {
        let workspace = try Workspace()
        try workspace.generate(leads: 2, seed: 4)
        let server = try await PostgresServer.shared()
        let target = try await server.makeDatabase()
        for refused in ["0", "10001"] {
            let result = try workspace.leadledger("migrate", "--to", target, "--batch", refused)
            #expect(result.code == 2, "\(result)")
            #expect(result.stderr.contains("--batch must be within 1…10000"), "\(result)")
        }
        #expect(try workspace.leadledger("migrate", "--to", target, "--batch", "10000").code == 0)
        #expect(try workspace.leadledger("migrate", "--to", target, "--batch", "1").code == 0)
    }
}
