import Foundation
import LedgerTesting
import Testing

/// The command line itself: help, unknown commands, the documented exit codes.
struct CommandLineUsageTests {
    static let subcommands = [
        "check-config", "check-amocrm", "events", "lead", "verify", "rebuild", "report", "requeue", "erase", "status",
        "import",
    ]

    @Test func helpExitsZeroAndListsEverySubcommand() throws {
        let workspace = try Workspace()
        let result = try workspace.leadledger("--help")
        #expect(result.code == 0, "\(result)")
        let text = result.stdout + result.stderr
        for command in Self.subcommands { #expect(text.contains(command), "\(command) missing from help: \(result)") }
        #expect(text.contains("Exit codes"), "\(result)")
    }

    @Test(arguments: CommandLineUsageTests.subcommands)
    func everySubcommandTakesHelpWithExitZero(_ command: String) throws {
        let workspace = try Workspace()
        let result = try workspace.leadledger(command, "--help")
        #expect(result.code == 0, "\(result)")
        #expect((result.stdout + result.stderr).contains("USAGE"), "\(result)")
        #expect(!FileManager.default.fileExists(atPath: workspace.databasePath), "--help must not touch the log")
    }

    @Test func anUnknownSubcommandIsAUsageErrorWithExitTwo() throws {
        let workspace = try Workspace()
        let result = try workspace.leadledger("frobnicate")
        #expect(result.code == 2, "\(result)")
        #expect(result.stdout.isEmpty, "\(result)")
        #expect(!result.stderr.isEmpty)
    }

    @Test func anUnknownOptionIsAUsageErrorWithExitTwo() throws {
        let workspace = try Workspace()
        try workspace.generate(leads: 3, seed: 1)
        let result = try workspace.leadledger("verify", "--no-such-option")
        #expect(result.code == 2, "\(result)")
    }

    @Test func aBadSettingMakesAnOrdinaryCommandARuntimeErrorNamingTheKey() throws {
        let workspace = try Workspace()
        try workspace.generate(leads: 3, seed: 1)
        let result = try workspace.leadledger(["status"], environment: ["LEADLEDGER_PORT": "abc"])
        #expect(result.code == 3, "\(result)")
        #expect(result.stderr.contains("LEADLEDGER_PORT"), "\(result)")
    }
}
