import ArgumentParser
import Foundation
import LedgerCore
import LedgerPostgres
import LedgerStore
import Logging

/// `leadledger check-config`: validates every setting and reports every problem at once, by key.
struct CheckConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate every setting; print each problem by key.",
        discussion: "Exit 0 only when the configuration can run. Secrets are never printed.")

    @OptionGroup var global: GlobalOptions
    @Flag(help: "Print every setting with its default and meaning (Markdown, as in docs/OPERATIONS.md) and exit.")
    var reference = false

    func run() async throws {
        if reference {
            writeOut(SettingsCatalog.markdown())
            return
        }
        let raw = try await global.rawSettings()
        var problems: [SettingsProblem] = []
        var settings: LedgerSettings?
        do {
            settings = try LedgerSettings.load { raw[$0] }
        } catch {
            problems = error.problems
        }
        let path = raw["LEADLEDGER_DB"] ?? "./data/ledger.sqlite"
        var server: (location: PostgresLocation, facts: PostgresServerFacts)?
        switch LogBackend(databaseSetting: path) {
        case .sqlite:
            if let problem = Self.checkWritable(databasePath: path) { problems.append(problem) }
        case .postgres:
            if let settings {
                switch await Self.checkServer(settings) {
                case .reachable(let location, let facts): server = (location, facts)
                case .refused(let problem): problems.append(problem)
                }
            }
        }
        if let settings, let problem = Self.checkDirectory(settings.reportsDirectory, key: "LEADLEDGER_REPORTS_DIR") {
            problems.append(problem)
        }
        if let settings, settings.backend == .postgres,
            let problem = Self.checkDirectory(
                URL(fileURLWithPath: settings.localStateBase).deletingLastPathComponent().path, key: "LEADLEDGER_STATE_DIR")
        {
            problems.append(problem)
        }
        // `serve` raises its soft descriptor limit to the hard one at start, so the hard one is what the cap must fit.
        let descriptorLimit = Descriptors.limits().hard
        if let problem = settings?.frontDoor.connectionCapProblem(descriptorLimit: descriptorLimit) {
            problems.append(SettingsProblem(key: "LEADLEDGER_MAX_CONNECTIONS", message: problem))
        }
        let unknown = ProcessInfo.processInfo.environment.keys
            .filter { $0.hasPrefix("LEADLEDGER_") && !LedgerSettings.knownKeys.contains($0) }.sorted()
        for key in unknown { writeError("warning: \(key) is not a LeadLedger setting (a typo?); it is ignored\n") }
        if let settings {
            for exposure in FilePrivacy.exposures(
                localState: settings.localStateBase, reportsDirectory: settings.reportsDirectory)
            {
                writeError(exposure.warning + "\n")
            }
        }
        guard let settings, problems.isEmpty else {
            for problem in problems { writeError("\(problem)\n") }
            throw ExitStatus.failureFound("check-config: \(problems.count) problem(s)")
        }
        var text = "check-config: ok\n"
        if let server {
            text += "  log         \(server.location), \(server.facts.summary)\n"
            text +=
                "  this host   \(URL(fileURLWithPath: settings.localStateBase).deletingLastPathComponent().path) "
                + "(read models, status files, tokens)\n"
        } else {
            text += "  log         \(settings.databasePath)\n"
        }
        text += "  listen      \(settings.host):\(settings.port)\n"
        text += "  admin API   \(settings.adminToken == nil ? "disabled (LEADLEDGER_ADMIN_TOKEN not set)" : "enabled")\n"
        text +=
            "  AmoCRM      \(settings.amoCRM.map { "enabled, \($0.baseURL.absoluteString)" } ?? "disabled (LEADLEDGER_AMOCRM_BASE_URL not set): leads wait in the queue")\n"
        text +=
            "  Telegram    \(settings.telegram == nil ? "disabled (LEADLEDGER_TELEGRAM_BOT_TOKEN not set): alerts recorded, not delivered" : "enabled")\n"
        text += "  lead cost   \(settings.leadCost) \(settings.currency), day in \(settings.timeZone.identifier), report at "
        text += String(format: "%02d:%02d", settings.reportAt.hour, settings.reportAt.minute) + "\n"
        text += "  reports     \(settings.reportsDirectory)\n"
        let door = settings.frontDoor
        text += "  front door  at most \(door.connectionCap(descriptorLimit: descriptorLimit) ?? 0) connections "
        text += "(\(door.maxConnectionsPerClient) per address) of \(descriptorLimit) descriptors; deadlines: headers "
        text += "\(door.headerTimeout.components.seconds) s, body \(door.bodyTimeout.components.seconds) s, "
        text += "idle \(door.idleTimeout.components.seconds) s, send \(door.sendTimeout.components.seconds) s\n"
        text += "  rate limit  "
        text += settings.rateLimitPerMinute == 0 ? "off" : "\(settings.rateLimitPerMinute) leads a minute per client address"
        let proxies = door.trustedProxies.map(\.description).joined(separator: ", ")
        text += proxies.isEmpty ? "\n" : " (behind \(proxies))\n"
        writeOut(text)
    }

    enum ServerCheck {
        case reachable(PostgresLocation, PostgresServerFacts)
        case refused(SettingsProblem)
    }

    /// A PostgreSQL log's server: reachable with the configured credentials within the operation bound, and
    /// durable (`fsync` on, `synchronous_commit` not off for the ledger's role). Nothing is written to it. A problem
    /// names `LEADLEDGER_DB` (or the password's key) and never shows the password.
    static func checkServer(
        _ settings: LedgerSettings
    ) async -> ServerCheck {
        let location: PostgresLocation
        do {
            location = try PostgresLocation(url: settings.databasePath, fallbackPassword: settings.postgres.password)
        } catch {
            return .refused(SettingsProblem(key: "LEADLEDGER_DB", message: error.reason))
        }
        do {
            let facts = try await PostgresEventLog.probe(
                location, options: PostgresLogOptions(settings), logger: Logger(label: "leadledger.check-config"))
            return .reachable(location, facts)
        } catch {
            let key =
                error.message.lowercased().contains("password") && location.password == nil
                ? "LEADLEDGER_DB_PASSWORD" : "LEADLEDGER_DB"
            return .refused(SettingsProblem(key: key, message: error.description))
        }
    }

    /// A directory `react` writes into: it exists and is writable, or its nearest existing ancestor is a writable
    /// directory it can be created in.
    static func checkDirectory(_ path: String, key: String) -> SettingsProblem? {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: path, isDirectory: &isDirectory) {
            if !isDirectory.boolValue { return SettingsProblem(key: key, message: "\(path) is a file, not a directory") }
            return manager.isWritableFile(atPath: path) ? nil : SettingsProblem(key: key, message: "\(path) is not writable")
        }
        var ancestor = URL(fileURLWithPath: path).deletingLastPathComponent().path
        while !manager.fileExists(atPath: ancestor, isDirectory: &isDirectory) {
            let parent = URL(fileURLWithPath: ancestor).deletingLastPathComponent().path
            if parent == ancestor { break }
            ancestor = parent
        }
        guard isDirectory.boolValue, manager.isWritableFile(atPath: ancestor) else {
            return SettingsProblem(key: key, message: "\(path) cannot be created (\(ancestor) is not a writable directory)")
        }
        return nil
    }

    /// The log's directory must exist or be creatable, and be writable.
    static func checkWritable(databasePath: String) -> SettingsProblem? {
        let manager = FileManager.default
        var directory = URL(fileURLWithPath: databasePath).deletingLastPathComponent().path
        while !manager.fileExists(atPath: directory) {
            let parent = URL(fileURLWithPath: directory).deletingLastPathComponent().path
            if parent == directory { break }
            directory = parent
        }
        if manager.fileExists(atPath: databasePath) && !manager.isWritableFile(atPath: databasePath) {
            return SettingsProblem(key: "LEADLEDGER_DB", message: "\(databasePath) is not writable")
        }
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: directory, isDirectory: &isDirectory), !isDirectory.boolValue {
            return SettingsProblem(
                key: "LEADLEDGER_DB", message: "\(directory) is a file, so the log's directory cannot be created")
        }
        if !manager.isWritableFile(atPath: directory) {
            return SettingsProblem(key: "LEADLEDGER_DB", message: "cannot create or write in \(directory)")
        }
        return nil
    }
}
