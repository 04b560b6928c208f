import ArgumentParser
import Foundation

/// The `leadledger` executable's root command. Its subcommands are listed in the README.
public struct LeadLedgerCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "leadledger",
        abstract: "An append-only, hash-chained ledger of paid leads and their delivery to AmoCRM.",
        discussion:
            "Exit codes: 0 ok, 1 failure found (verify, check-config, check-amocrm; import: some rows invalid), 2 usage error, "
            + "3 runtime error.",
        subcommands: [
            ServeCommand.self, CheckConfigCommand.self, CheckAmoCRMCommand.self, EventsCommand.self, LeadCommand.self,
            VerifyCommand.self,
            RebuildCommand.self,
            ReportCommand.self, RequeueCommand.self, EraseCommand.self, StatusCommand.self, ReactCommand.self, RunCommand.self,
            BackupCommand.self, ImportCommand.self, MigrateCommand.self,
        ]
    )

    public init() {}

    /// Parses and runs, mapping every outcome to the documented exit codes. Never returns.
    public static func runAndExit(arguments: [String] = Array(CommandLine.arguments.dropFirst())) async -> Never {
        let command: any ParsableCommand
        do {
            command = try parseAsRoot(arguments)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                exit(withError: error)
            }
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            Foundation.exit(2)
        }
        // The log holds each lead's key beside its sealed data, and the token file, the read models and the reports
        // are no one else's business either: every file and directory any command creates is its owner's alone,
        // whatever umask the shell, PM2 or systemd started it with.
        umask(0o077)
        do {
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                var syncCommand = command
                try syncCommand.run()
            }
            Foundation.exit(0)
        } catch let status as ExitStatus {
            if let message = status.message {
                FileHandle.standardError.write(Data((message + "\n").utf8))
            }
            Foundation.exit(status.code)
        } catch let error as ValidationError {
            FileHandle.standardError.write(Data(("error: \(error.message)\n").utf8))
            Foundation.exit(2)
        } catch {
            // Help and usage errors raised while running (argument-parser's help command) keep their meaning.
            switch exitCode(for: error) {
            case .success:
                exit(withError: error)
            case .validationFailure:
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            default:
                FileHandle.standardError.write(Data(("error: \(error)\n").utf8))
                Foundation.exit(3)
            }
        }
    }
}
