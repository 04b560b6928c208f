import ArgumentParser
import Configuration
import Foundation
import LedgerCore
import LedgerPostgres
import LedgerProjections
import LedgerStore
import Logging
import SystemPackage

/// Options every command takes: where settings come from.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Settings file (JSON or YAML) keyed by the LEADLEDGER_* names; the environment wins over it.")
    var config: String?

    /// Reads every known key from the environment, then the `--config` file, and validates them all.
    func rawSettings() async throws -> [String: String] {
        var providers: [any ConfigProvider] = [EnvironmentVariablesProvider()]
        if let config {
            guard FileManager.default.isReadableFile(atPath: config) else {
                throw ExitStatus.runtime("--config: cannot read \(config)")
            }
            do {
                if config.hasSuffix(".yaml") || config.hasSuffix(".yml") {
                    providers.append(try await FileProvider<YAMLSnapshot>(filePath: FilePath(config)))
                } else {
                    providers.append(try await FileProvider<JSONSnapshot>(filePath: FilePath(config)))
                }
            } catch {
                throw ExitStatus.runtime("--config: \(config) is not valid JSON or YAML: \(error)")
            }
        }
        let reader = ConfigReader(providers: providers)
        var values: [String: String] = [:]
        for key in LedgerSettings.knownKeys {
            let configKey = ConfigKey(key)
            // A file may hold numbers and booleans where the environment only has text.
            if let text = reader.string(forKey: configKey) {
                values[key] = text
            } else if let number = reader.int(forKey: configKey) {
                values[key] = String(number)
            } else if let number = reader.double(forKey: configKey) {
                values[key] = String(number)
            } else if let flag = reader.bool(forKey: configKey) {
                values[key] = String(flag)
            }
        }
        return values
    }

    func settings() async throws -> LedgerSettings {
        let raw = try await rawSettings()
        do {
            return try LedgerSettings.load { raw[$0] }
        } catch {
            throw ExitStatus.runtime(error.description)
        }
    }

    /// Opens the configured log, SQLite or PostgreSQL, for the commands that run on either through the storage seam;
    /// a failure becomes a runtime error naming the file or the URL (never its password). Like `openLog`, it never
    /// creates a log unless `create`.
    func openStore(_ settings: LedgerSettings, readOnly: Bool = false, create: Bool = false) async throws -> any EventStore {
        switch settings.backend {
        case .sqlite:
            return try openLog(settings, readOnly: readOnly, create: create)
        case .postgres:
            return try await openPostgres(settings.databasePath, settings, create: create, named: "LEADLEDGER_DB")
        }
    }

    /// Opens the PostgreSQL log at `url` with the `LEADLEDGER_DB_*` settings; a bad URL is a runtime error that names
    /// where it came from (`named`), any other failure one that names the URL without its password.
    func openPostgres(
        _ url: String, _ settings: LedgerSettings, create: Bool, named: String
    ) async throws -> PostgresEventLog {
        let location: PostgresLocation
        do {
            location = try PostgresLocation(url: url, fallbackPassword: settings.postgres.password)
        } catch {
            throw ExitStatus.runtime("\(named) \(error.reason)")
        }
        var options = PostgresLogOptions(settings)
        options.createIfMissing = create
        do {
            return try await PostgresEventLog.open(location, options: options, logger: Logger(label: "leadledger.store"))
        } catch {
            throw ExitStatus.runtime(error.description)
        }
    }

    /// Runs `body` on the configured log (`openStore`), closing it however `body` ends.
    func withStore<T>(
        _ settings: LedgerSettings, readOnly: Bool = false, _ body: (any EventStore) async throws -> T
    ) async throws -> T {
        let store = try await openStore(settings, readOnly: readOnly)
        do {
            let value = try await body(store)
            await store.close()
            return value
        } catch {
            await store.close()
            throw error
        }
    }

    /// Opens the configured SQLite log; a failure becomes a runtime error naming the file. The auditor's commands
    /// never create a log: a mistyped `LEADLEDGER_DB` must fail, not show an empty ledger. Every command but `migrate`
    /// opens the log with `openStore`; `migrate` copies a SQLite log, so a PostgreSQL URL stops it here, at start.
    func openLog(_ settings: LedgerSettings, readOnly: Bool = false, create: Bool = false) throws -> EventLog {
        guard settings.backend == .sqlite else {
            throw ExitStatus.runtime(
                "LEADLEDGER_DB is a PostgreSQL URL, and this command reads a SQLite log: set LEADLEDGER_DB to the "
                    + "SQLite file (docs/POSTGRES.md)")
        }
        var options = EventLogOptions()
        options.busyTimeoutMilliseconds = settings.busyTimeoutMilliseconds
        options.maxPageSize = settings.maxPageSize
        options.recentContactSeconds = settings.duplicateWindowSeconds
        options.recentContactCapacity = settings.recentContactsMax
        options.readOnly = readOnly
        if (readOnly || !create) && !FileManager.default.fileExists(atPath: settings.databasePath) {
            throw ExitStatus.runtime("no event log at \(settings.databasePath)")
        }
        do {
            return try EventLog.open(path: settings.databasePath, options: options)
        } catch {
            throw ExitStatus.runtime(error.description)
        }
    }

    /// The read models of this host (`<localStateBase>.projections.sqlite`: beside a SQLite log, under
    /// `LEADLEDGER_STATE_DIR` for PostgreSQL), created or rebuilt when missing or damaged. Only that file is written,
    /// so this works on a log opened read-only; an unwritable directory fails naming it.
    func readModels(
        _ log: any EventStore, _ settings: LedgerSettings, batchSize: Int? = nil, checkIntegrity: Bool = false
    ) throws -> ProjectionRunner {
        var options = EventLogOptions()
        options.busyTimeoutMilliseconds = settings.busyTimeoutMilliseconds
        options.maxPageSize = settings.maxPageSize
        let path = ReadModelStore.path(forLog: settings.localStateBase)
        do {
            if settings.backend == .postgres {
                try FileManager.default.createDirectory(
                    atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path, withIntermediateDirectories: true)
            }
            return ProjectionRunner(
                log: log, store: try ReadModelStore.open(path: path, options: options, checkIntegrity: checkIntegrity),
                batchSize: batchSize ?? settings.projectionBatchSize)
        } catch {
            throw ExitStatus.runtime("\(error)")
        }
    }

    /// Brings the read models up to the log's head, so a command never shows stale state.
    func projected(_ log: any EventStore, _ settings: LedgerSettings) async throws -> ProjectionRunner {
        let runner = try readModels(log, settings)
        try await catchUp(runner)
        return runner
    }

    /// `runner.catchUp()`, a failure becoming a runtime error.
    func catchUp(_ runner: ProjectionRunner) async throws {
        do {
            try await runner.catchUp()
        } catch {
            throw ExitStatus.runtime("\(error)")
        }
    }
}
