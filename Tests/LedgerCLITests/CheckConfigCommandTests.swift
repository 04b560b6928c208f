import Foundation
import LedgerTesting
import Testing

/// `leadledger check-config`: every problem by key, secrets never shown.
struct CheckConfigCommandTests {
    static let canary = "some-canary-secret"

    @Test func defaultsAreAcceptedWithExitZero() throws {
        let workspace = try Workspace()
        let result = try workspace.leadledger("check-config")
        #expect(result.code == 0, "\(result)")
        #expect(result.stdout.contains("check-config: ok"), "\(result)")
        #expect(result.stdout.contains(workspace.databasePath), "\(result)")
        #expect(result.stdout.contains("127.0.0.1:8080"), "\(result)")
        #expect(result.stdout.contains("100 RUB"), "\(result)")
        #expect(result.stdout.contains("Europe/Moscow"), "\(result)")
        #expect(result.stdout.contains("09:00"), "\(result)")
        #expect(!FileManager.default.fileExists(atPath: workspace.databasePath), "check-config must not create the log")
    }

    @Test func aReportsDirectoryThatCannotBeCreatedIsNamedByItsKey() throws {
        let workspace = try Workspace()
        let file = try workspace.write("not-a-directory", "x")
        let result = try workspace.leadledger(["check-config"], environment: ["LEADLEDGER_REPORTS_DIR": file + "/reports"])
        #expect(result.code == 1, "\(result)")
        #expect(result.stderr.contains("LEADLEDGER_REPORTS_DIR"), "\(result)")
        let fine = try workspace.leadledger(
            ["check-config"], environment: ["LEADLEDGER_REPORTS_DIR": workspace.directory.file("reports")])
        #expect(fine.code == 0, "\(fine)")
        #expect(fine.stdout.contains(workspace.directory.file("reports")), "\(fine)")
    }

    @Test func withNoSettingsAtAllTheDefaultLogPathIsUsedAndAccepted() throws {
        let workspace = try Workspace()
        // No LEADLEDGER_DB at all: ./data/ledger.sqlite relative to the working directory (the workspace).
        let result = try run(workspace.binary, ["check-config"], directory: workspace.directory.path)
        #expect(result.code == 0, "\(result)")
        #expect(result.stdout.contains("./data/ledger.sqlite"), "\(result)")
    }

    @Test func severalBadSettingsFailWithExitOneAndEveryKeyIsNamed() throws {
        let workspace = try Workspace()
        let result = try workspace.leadledger(
            ["check-config"],
            environment: [
                "LEADLEDGER_PORT": "abc", "LEADLEDGER_TIMEZONE": "Nowhere/X", "LEADLEDGER_TELEGRAM_CHAT_ID": "1",
                "LEADLEDGER_CURRENCY": "rubles", "LEADLEDGER_REPORT_AT": "25:00", "LEADLEDGER_LEAD_COST": "-5",
            ])
        #expect(result.code == 1, "\(result)")
        #expect(!result.stdout.contains("check-config: ok"), "\(result)")
        for key in [
            "LEADLEDGER_PORT", "LEADLEDGER_TIMEZONE", "LEADLEDGER_TELEGRAM_BOT_TOKEN", "LEADLEDGER_TELEGRAM_CHAT_ID",
            "LEADLEDGER_CURRENCY", "LEADLEDGER_REPORT_AT", "LEADLEDGER_LEAD_COST",
        ] {
            #expect(result.stderr.contains(key), "\(key) not named: \(result)")
        }
        // Each problem on its own line, starting with its key.
        let problemLines = result.stderr.split(separator: "\n").filter { $0.hasPrefix("LEADLEDGER_") }
        #expect(problemLines.count >= 6, "\(result)")
        #expect(result.stderr.contains("6 problem(s)"), "\(result)")
    }

    /// A log path that cannot be created and malformed URLs are reported in the same run as the rest, each by key.
    @Test func anUnreachableLogPathAndMalformedURLsAreListedWithEveryOtherProblemAtOnce() throws {
        let workspace = try Workspace()
        let blocker = try workspace.write("not-a-directory", "a file where the log's directory should be")
        let result = try workspace.leadledger(
            ["check-config"],
            environment: [
                "LEADLEDGER_DB": blocker + "/ledger.sqlite",
                "LEADLEDGER_AMOCRM_BASE_URL": "yourcompany.amocrm.ru", "LEADLEDGER_AMOCRM_TOKEN": "token",
                "LEADLEDGER_TELEGRAM_BOT_TOKEN": "123:abc", "LEADLEDGER_TELEGRAM_CHAT_ID": "42",
                "LEADLEDGER_TELEGRAM_API_URL": "ftp://api.telegram.org", "LEADLEDGER_FORM_REDIRECT_URL": "/thanks",
                "LEADLEDGER_PORT": "99999",
            ])
        #expect(result.code == 1, "\(result)")
        for key in [
            "LEADLEDGER_DB", "LEADLEDGER_AMOCRM_BASE_URL", "LEADLEDGER_TELEGRAM_API_URL", "LEADLEDGER_FORM_REDIRECT_URL",
            "LEADLEDGER_PORT",
        ] {
            #expect(result.stderr.contains("\(key):"), "\(key) not named: \(result)")
        }
        #expect(result.stderr.contains("5 problem(s)"), "\(result)")
    }

    @Test func theThreeBadSettingsOfTheBriefAreEachNamed() throws {
        let workspace = try Workspace()
        let result = try workspace.leadledger(
            ["check-config"],
            environment: ["LEADLEDGER_PORT": "abc", "LEADLEDGER_TIMEZONE": "Nowhere/X", "LEADLEDGER_TELEGRAM_CHAT_ID": "1"])
        #expect(result.code == 1, "\(result)")
        #expect(result.stderr.contains("LEADLEDGER_PORT:"), "\(result)")
        #expect(result.stderr.contains("LEADLEDGER_TIMEZONE:"), "\(result)")
        #expect(result.stderr.contains("LEADLEDGER_TELEGRAM_BOT_TOKEN:"), "\(result)")
        #expect(result.stderr.contains("3 problem(s)"), "\(result)")
    }

    @Test func aConfiguredAmoCRMTokenNeverAppearsInTheOutput() throws {
        let workspace = try Workspace()
        let result = try workspace.leadledger(
            ["check-config"],
            environment: ["LEADLEDGER_AMOCRM_TOKEN": Self.canary, "LEADLEDGER_AMOCRM_BASE_URL": "https://x.amocrm.ru"])
        #expect(result.code == 0, "\(result)")
        #expect(result.stdout.contains("https://x.amocrm.ru"), "\(result)")
        #expect(!result.stdout.contains(Self.canary), "secret leaked: \(result)")
        #expect(!result.stderr.contains(Self.canary), "secret leaked: \(result)")
        #expect(!result.stdout.contains("canary"), "secret leaked: \(result)")
    }

    @Test func secretsNeverAppearEvenWhenTheirSettingsAreWrong() throws {
        let workspace = try Workspace()
        let cases: [[String: String]] = [
            // A token without a base URL.
            ["LEADLEDGER_AMOCRM_TOKEN": Self.canary],
            // A token next to a bad setting.
            [
                "LEADLEDGER_AMOCRM_TOKEN": Self.canary, "LEADLEDGER_AMOCRM_BASE_URL": "https://x.amocrm.ru",
                "LEADLEDGER_PORT": "abc",
            ],
            // A token and OAuth at once.
            [
                "LEADLEDGER_AMOCRM_TOKEN": Self.canary, "LEADLEDGER_AMOCRM_BASE_URL": "https://x.amocrm.ru",
                "LEADLEDGER_AMOCRM_CLIENT_SECRET": "\(Self.canary)-oauth",
            ],
            // A bot token in the wrong shape.
            ["LEADLEDGER_TELEGRAM_BOT_TOKEN": "\(Self.canary)-bot", "LEADLEDGER_TELEGRAM_CHAT_ID": "12345"],
            // An admin token too short to accept.
            ["LEADLEDGER_ADMIN_TOKEN": "canary-short"],
        ]
        for environment in cases {
            let result = try workspace.leadledger(["check-config"], environment: environment)
            #expect(result.code == 1, "\(environment.keys.sorted()): \(result)")
            #expect(!result.stdout.contains("canary"), "secret leaked with \(environment.keys.sorted()): \(result)")
            #expect(!result.stderr.contains("canary"), "secret leaked with \(environment.keys.sorted()): \(result)")
        }
    }

    @Test func secretsNeverAppearInOtherCommandsEither() throws {
        let workspace = try Workspace()
        try workspace.generate(leads: 5, seed: 3)
        let environment = [
            "LEADLEDGER_AMOCRM_TOKEN": Self.canary, "LEADLEDGER_AMOCRM_BASE_URL": "https://x.amocrm.ru",
            "LEADLEDGER_ADMIN_TOKEN": "\(Self.canary)-admin-token", "LEADLEDGER_TELEGRAM_BOT_TOKEN": "123456:canaryBotSecret",
            "LEADLEDGER_TELEGRAM_CHAT_ID": "-100123",
        ]
        for arguments in [["status"], ["verify"], ["events", "--limit", "3"], ["report", "--day", "2026-11-19"]] {
            let result = try workspace.leadledger(arguments, environment: environment)
            #expect(result.code == 0, "\(arguments): \(result)")
            #expect(!result.stdout.lowercased().contains("canary"), "\(arguments) leaked a secret: \(result)")
            #expect(!result.stderr.lowercased().contains("canary"), "\(arguments) leaked a secret: \(result)")
        }
    }

    @Test func aNumberInAJSONConfigFileIsAccepted() throws {
        let workspace = try Workspace()
        let file = try workspace.write("config.json", #"{"LEADLEDGER_PORT": 9090}"#)
        let result = try workspace.leadledger("check-config", "--config", file)
        #expect(result.code == 0, "\(result)")
        #expect(result.stdout.contains("127.0.0.1:9090"), "\(result)")
    }

    @Test func numbersAndTextInAJSONConfigFileAreAllRead() throws {
        let workspace = try Workspace()
        let file = try workspace.write(
            "config.json", #"{"LEADLEDGER_PORT": 9191, "LEADLEDGER_LEAD_COST": 250, "LEADLEDGER_TIMEZONE": "Asia/Yekaterinburg"}"#
        )
        let result = try workspace.leadledger("check-config", "--config", file)
        #expect(result.code == 0, "\(result)")
        #expect(result.stdout.contains(":9191"), "\(result)")
        #expect(result.stdout.contains("250 RUB"), "\(result)")
        #expect(result.stdout.contains("Asia/Yekaterinburg"), "\(result)")
    }

    @Test(arguments: [
        #"{"LEADLEDGER_PORT": 99999}"#, #"{"LEADLEDGER_PORT": "abc"}"#, #"{"LEADLEDGER_PORT": -1}"#,
    ])
    func aBadPortInTheConfigFileIsReportedByKey(_ json: String) throws {
        let workspace = try Workspace()
        let file = try workspace.write("config.json", json)
        let result = try workspace.leadledger("check-config", "--config", file)
        #expect(result.code == 1, "\(json): \(result)")
        #expect(result.stderr.contains("LEADLEDGER_PORT"), "\(json): \(result)")
    }

    @Test func aBadTimeZoneInTheConfigFileIsReportedByKey() throws {
        let workspace = try Workspace()
        let file = try workspace.write("config.json", #"{"LEADLEDGER_TIMEZONE": "Mars/Olympus", "LEADLEDGER_PORT": 9090}"#)
        let result = try workspace.leadledger("check-config", "--config", file)
        #expect(result.code == 1, "\(result)")
        #expect(result.stderr.contains("LEADLEDGER_TIMEZONE"), "\(result)")
        #expect(!result.stderr.contains("LEADLEDGER_PORT"), "\(result)")
    }

    @Test func theEnvironmentWinsOverTheConfigFile() throws {
        let workspace = try Workspace()
        let file = try workspace.write("config.json", #"{"LEADLEDGER_PORT": 9090}"#)
        let result = try workspace.leadledger(["check-config", "--config", file], environment: ["LEADLEDGER_PORT": "7070"])
        #expect(result.code == 0, "\(result)")
        #expect(result.stdout.contains(":7070"), "\(result)")
    }

    @Test func aYAMLConfigFileIsReadToo() throws {
        let workspace = try Workspace()
        let file = try workspace.write("config.yaml", "LEADLEDGER_PORT: 9292\nLEADLEDGER_CURRENCY: EUR\n")
        let result = try workspace.leadledger("check-config", "--config", file)
        #expect(result.code == 0, "\(result)")
        #expect(result.stdout.contains(":9292"), "\(result)")
        #expect(result.stdout.contains("EUR"), "\(result)")
    }

    @Test func anUnreadableOrMalformedConfigFileIsARuntimeErrorWithExitThree() throws {
        let workspace = try Workspace()
        let missing = try workspace.leadledger("check-config", "--config", workspace.directory.file("absent.json"))
        #expect(missing.code == 3, "\(missing)")
        let broken = try workspace.write("broken.json", "{ this is not json")
        let malformed = try workspace.leadledger("check-config", "--config", broken)
        #expect(malformed.code == 3, "\(malformed)")
    }

    @Test func anUnknownLeadLedgerVariableIsWarnedAboutByName() throws {
        let workspace = try Workspace()
        let result = try workspace.leadledger(["check-config"], environment: ["LEADLEDGER_PROT": "9090"])
        #expect(result.code == 0, "\(result)")
        #expect(result.stderr.contains("LEADLEDGER_PROT"), "\(result)")
    }

    @Test func anUnwritableLogDirectoryIsReportedAsLeadLedgerDB() throws {
        let workspace = try Workspace()
        // A regular file where the log's directory should be: nothing can be created under it.
        let blocker = try workspace.write("blocker", "not a directory")
        let result = try workspace.leadledger(["check-config"], environment: ["LEADLEDGER_DB": "\(blocker)/ledger.sqlite"])
        #expect(result.code == 1, "\(result)")
        #expect(result.stderr.contains("LEADLEDGER_DB"), "\(result)")
    }

    /// The log holds each lead's key beside its sealed data: a file others may read is named, with the fix.
    @Test func aLedgerFileOrReportOthersMayReadIsWarnedAboutAndAPrivateOneIsNot() throws {
        let workspace = try Workspace()
        let log = try workspace.write("ledger.sqlite", "")
        let tokens = try workspace.write("ledger.sqlite.amocrm-tokens.json", "{}")
        let reports = workspace.directory.file("reports")
        try FileManager.default.createDirectory(atPath: reports, withIntermediateDirectories: true)
        let report = reports + "/2026-12-01.md"
        #expect(FileManager.default.createFile(atPath: report, contents: Data("report".utf8)))
        for (path, mode) in [(log, 0o600), (tokens, 0o640), (reports, 0o755), (report, 0o644)] {
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        }
        let result = try workspace.leadledger(["check-config"], environment: ["LEADLEDGER_REPORTS_DIR": reports])
        #expect(result.code == 0, "a warning, not a failure: \(result)")
        #expect(!result.stderr.contains("'\(log)'"), "\(result)")
        #expect(result.stderr.contains("chmod 600 '\(tokens)'"), "\(result)")
        #expect(result.stderr.contains("chmod 700 '\(reports)'"), "\(result)")
        #expect(result.stderr.contains("chmod 600 '\(report)'"), "\(result)")
    }

    /// A backup is the whole ledger in one file: it is as private as the log, even under `umask 000`.
    @Test func aBackupIsCreatedPrivateWhateverTheUmaskTheCommandStartsWith() throws {
        let workspace = try Workspace()
        _ = try workspace.generate(leads: 3, seed: 15)
        let copy = workspace.directory.file("copy.sqlite")
        let result = try run(
            "/bin/sh", ["-c", "umask 000; exec \"$0\" backup \"$1\"", workspace.binary, copy],
            environment: ["LEADLEDGER_DB": workspace.databasePath])
        #expect(result.code == 0, "\(result)")
        let mode = try FileManager.default.attributesOfItem(atPath: copy)[.posixPermissions] as? Int
        #expect(mode == 0o600, "\(String(mode ?? 0, radix: 8))")
    }

    @Test func aConnectionCapTheDescriptorLimitCannotHoldIsAProblemOfItsKey() throws {
        let workspace = try Workspace()
        func checkConfig(maxConnections: Int) throws -> CLIResult {
            try run(
                "/bin/sh", ["-c", "ulimit -n 1024; exec \"$0\" check-config", workspace.binary],
                environment: ["LEADLEDGER_DB": workspace.databasePath, "LEADLEDGER_MAX_CONNECTIONS": "\(maxConnections)"],
                directory: workspace.directory.path)
        }
        let tooMany = try checkConfig(maxConnections: 897)
        #expect(tooMany.code == 1, "\(tooMany)")
        #expect(tooMany.stderr.contains("LEADLEDGER_MAX_CONNECTIONS"), "\(tooMany)")
        let fits = try checkConfig(maxConnections: 896)
        #expect(fits.code == 0, "\(fits)")
        #expect(fits.stdout.contains("at most 896 connections"), "\(fits)")
    }
}
