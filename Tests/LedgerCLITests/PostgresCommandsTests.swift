import Foundation
import LedgerCore
import LedgerStore
import LedgerTesting
import Testing

/// The commands with `LEADLEDGER_DB=postgres://…`, as real processes against a real PostgreSQL: `check-config`
/// connects and reports the server, the auditor's commands read and erase there and back up to a SQLite file, and the
/// commands that run on SQLite only so far stop at start naming the setting. No output ever shows the password.
struct PostgresCommandsTests {
    /// A workspace's generated log copied into a new PostgreSQL database; returns the database's URL.
    static func migrated(_ workspace: Workspace, leads: Int, seed: UInt64) async throws -> String {
        try workspace.generate(leads: leads, seed: seed)
        let target = try await PostgresServer.shared().makeDatabase()
        let copied = try workspace.leadledger("migrate", "--to", target)
        guard copied.code == 0 else { throw FixtureError(message: "migrate failed: \(copied)") }
        return target
    }

    @Test func checkConfigConnectsAndReportsWhatTheServerPromises() async throws {
        let workspace = try Workspace()
        let server = try await PostgresServer.shared()
        let database = try await server.makeDatabase()
        let result = try workspace.leadledger("check-config", environment: ["LEADLEDGER_DB": database])
        #expect(result.code == 0, "\(result)")
        #expect(result.stdout.contains("PostgreSQL 15"), "\(result)")
        #expect(result.stdout.contains("fsync on, synchronous_commit on"), "\(result)")
        #expect(!(result.stdout + result.stderr).contains(server.password))
        #expect(
            try await server.sql("SELECT count(*) FROM pg_tables WHERE tablename = 'event'", in: database)
                .trimmingCharacters(in: .whitespacesAndNewlines) == "0", "check-config writes nothing")
    }

    /// With a PostgreSQL log, this host's files live under `LEADLEDGER_STATE_DIR`: `check-config` refuses a directory
    /// it cannot write, names where they go, and warns about one of them open to other users, as it does beside a
    /// SQLite log.
    @Test func checkConfigJudgesTheStateDirectoryOfAPostgreSQLLog() async throws {
        let workspace = try Workspace()
        let database = try await PostgresServer.shared().makeDatabase()
        let notADirectory = try workspace.write("state-file", "")
        let refused = try workspace.leadledger(
            "check-config", environment: ["LEADLEDGER_DB": database, "LEADLEDGER_STATE_DIR": notADirectory])
        #expect(refused.code == 1, "\(refused)")
        #expect(refused.stderr.contains("LEADLEDGER_STATE_DIR: \(notADirectory) is a file"), "\(refused)")

        let state = workspace.directory.file("state")
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        let tokens = state + "/postgres-ledger.amocrm-tokens.json"
        _ = FileManager.default.createFile(atPath: tokens, contents: Data("{}".utf8))
        chmod(tokens, 0o644)
        let checked = try workspace.leadledger(
            "check-config", environment: ["LEADLEDGER_DB": database, "LEADLEDGER_STATE_DIR": state])
        #expect(checked.code == 0, "\(checked)")
        #expect(checked.stdout.contains("this host   \(state)"), "\(checked.stdout)")
        #expect(checked.stderr.contains("chmod 600 '\(tokens)'"), "\(checked.stderr)")
    }

    /// Credentials that do not work are a problem of the setting that holds them: the URL's password, or
    /// `LEADLEDGER_DB_PASSWORD` when the URL has none and nothing supplies one.
    @Test func badCredentialsAreAProblemNamingTheirSetting() async throws {
        let workspace = try Workspace()
        let server = try await PostgresServer.shared()
        let wrong = "postgres://postgres:wrong-secret-42@127.0.0.1:\(server.port)/leadledger?sslmode=disable"
        let refused = try workspace.leadledger("check-config", environment: ["LEADLEDGER_DB": wrong])
        #expect(refused.code == 1, "\(refused)")
        #expect(refused.stderr.contains("LEADLEDGER_DB: "), "\(refused)")
        #expect(!(refused.stdout + refused.stderr).contains("wrong-secret-42"))
        let none = "postgres://postgres@127.0.0.1:\(server.port)/leadledger?sslmode=disable"
        let missing = try workspace.leadledger("check-config", environment: ["LEADLEDGER_DB": none])
        #expect(missing.code == 1, "\(missing)")
        #expect(missing.stderr.contains("LEADLEDGER_DB_PASSWORD: "), "\(missing)")
        #expect(missing.stderr.contains("asks for a password and none is given"), "\(missing)")
        let supplied = try workspace.leadledger(
            "check-config", environment: ["LEADLEDGER_DB": none, "LEADLEDGER_DB_PASSWORD": server.password])
        #expect(supplied.code == 0, "\(supplied)")
    }

    /// A database whose sessions default to `synchronous_commit=off` would acknowledge commits it can lose; the
    /// ledger's own sessions set it on at connect and read it back, so such a database still gets durable commits.
    @Test func aDatabaseDefaultingToAsynchronousCommitsStillGetsDurableOnes() async throws {
        let workspace = try Workspace()
        let server = try await PostgresServer.shared()
        let database = try await server.makeDatabase()
        let name = try #require(URLComponents(string: database)?.path.dropFirst())
        try await server.sql("ALTER DATABASE \(name) SET synchronous_commit = off")
        #expect(try await server.sql("SHOW synchronous_commit", in: database).hasPrefix("off"))
        let result = try workspace.leadledger("check-config", environment: ["LEADLEDGER_DB": database])
        #expect(result.code == 0, "\(result)")
        #expect(result.stdout.contains("synchronous_commit on"), "\(result)")
    }

    /// verify, events and erase on PostgreSQL answer what they answer on the SQLite log the database was copied
    /// from; the backup is a SQLite file that `verify` accepts with the same head.
    @Test func theAuditorsCommandsRunOnPostgreSQL() async throws {
        let workspace = try Workspace()
        let database = try await Self.migrated(workspace, leads: 30, seed: 5)
        let onPostgres = ["LEADLEDGER_DB": database]

        let sqliteVerify = try workspace.leadledger("verify")
        let verify = try workspace.leadledger(["verify"], environment: onPostgres)
        #expect(verify.code == 0, "\(verify)")
        #expect(verify.stdout == sqliteVerify.stdout)
        let events = try workspace.leadledger(["events"], environment: onPostgres)
        #expect(events.code == 0, "\(events)")
        #expect(events.stdout == (try workspace.leadledger("events").stdout))

        let lead = try #require(try jsonLines(events).first { $0["type"] as? String == "LeadReceived" }?["stream"] as? String)
        let erase = try workspace.leadledger(["erase", lead], environment: onPostgres)
        #expect(erase.code == 0, "\(erase)")
        let timeline = try jsonLines(try workspace.leadledger(["events", "--lead", lead], environment: onPostgres))
        #expect(timeline.first?["type"] as? String == "LeadReceived" && timeline.last?["type"] as? String == "LeadErased")
        #expect(bool(field(timeline[0], "data", "erased")) == true)

        let backupPath = workspace.directory.file("from-postgres.sqlite")
        let backup = try workspace.leadledger(["backup", backupPath], environment: onPostgres)
        #expect(backup.code == 0, "\(backup)")
        let afterErase = try workspace.leadledger(["verify"], environment: onPostgres)
        let ofBackup = try workspace.leadledger(["verify"], environment: ["LEADLEDGER_DB": backupPath])
        #expect(ofBackup.code == 0, "\(ofBackup)")
        #expect(ofBackup.stdout == afterErase.stdout)
    }

    /// The auditor's commands never make a log: on a database without the ledger's tables (a mistyped name) they
    /// fail naming the setting, and leave it as they found it.
    @Test(arguments: [["verify"], ["events"], ["backup", "copy.sqlite"]])
    func theAuditorsCommandsRefuseADatabaseWithoutALog(_ arguments: [String]) async throws {
        let workspace = try Workspace()
        let server = try await PostgresServer.shared()
        let database = try await server.makeDatabase()
        let result = try workspace.leadledger(arguments, environment: ["LEADLEDGER_DB": database])
        #expect(result.code == 3, "\(result)")
        #expect(result.stderr.contains("no event log in this database"), "\(result)")
        #expect(
            try await server.sql("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", in: database)
                .trimmingCharacters(in: .whitespacesAndNewlines) == "0")
        #expect(!FileManager.default.fileExists(atPath: workspace.directory.file("copy.sqlite")))
    }

    /// `import` on PostgreSQL: a rehearsal prints what the real run then does and writes nothing, the real run writes
    /// each row once, a second run finds every row there, and the summary is the one the SQLite log the database was
    /// copied from gives for the same file.
    @Test func importRunsOnPostgreSQLAsOnSQLite() async throws {
        let workspace = try Workspace()
        let database = try await Self.migrated(workspace, leads: 20, seed: 11)
        let onPostgres = ["LEADLEDGER_DB": database]
        let path = try workspace.write(
            "leads.csv",
            """
            received_at,name,phone,email
            2026-11-30T10:00:00Z,Ирина,+79165550001,
            2026-11-30T10:00:05Z,Ирина,+79165550001,
            2026-11-30T11:00:00Z,Пётр,+79165550002,petr@example.ru
            2026-11-30T12:00:00Z,,,not-an-email

            """)
        func summary(_ arguments: [String], _ environment: [String: String]) throws -> (CLIResult, [String: Any]) {
            let result = try workspace.leadledger(["import", "--format", "json"] + arguments, environment: environment)
            return (result, try jsonObject(result.stdout))
        }
        let head = try workspace.leadledger(["verify"], environment: onPostgres).stdout
        let (rehearsal, planned) = try summary(["--dry-run", path], onPostgres)
        #expect(rehearsal.code == 1, "one row is invalid: \(rehearsal)")
        #expect(try workspace.leadledger(["verify"], environment: onPostgres).stdout == head, "a dry run writes nothing")
        let (real, done) = try summary([path], onPostgres)
        #expect(real.code == 1, "\(real)")
        #expect(int(done["imported"]) == 2, "\(real.stdout)")
        for key in ["rows", "imported"] { #expect(int(planned[key]) == int(done[key]), "\(key)") }
        #expect(planned["duplicates"] as? NSDictionary == done["duplicates"] as? NSDictionary)
        #expect((done["duplicates"] as? [String: Any])?.isEmpty == false, "the second click is a double submission")
        let (_, again) = try summary([path], onPostgres)
        #expect(int(again["imported"]) == 0, "a second run finds every row")

        let (_, onSQLite) = try summary([path], [:])
        for key in ["rows", "imported"] { #expect(int(onSQLite[key]) == int(done[key]), "\(key)") }
        #expect(onSQLite["duplicates"] as? NSDictionary == done["duplicates"] as? NSDictionary)
        #expect(try workspace.leadledger(["verify"], environment: onPostgres).code == 0)
    }

    /// `migrate` copies a SQLite log: with `LEADLEDGER_DB` naming a PostgreSQL database it stops at start, naming the
    /// setting, and copies nothing.
    @Test func migrateFromAPostgreSQLURLStopsAtStartNamingTheSetting() async throws {
        let workspace = try Workspace()
        let server = try await PostgresServer.shared()
        let target = try await server.makeDatabase()
        let result = try workspace.leadledger(["migrate", "--to", target], environment: ["LEADLEDGER_DB": server.url])
        #expect(result.code == 3, "\(result)")
        #expect(result.stderr.contains("LEADLEDGER_DB is a PostgreSQL URL"), "\(result)")
        #expect(!(result.stdout + result.stderr).contains(server.password))
        #expect(
            try await server.sql("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", in: target)
                .trimmingCharacters(in: .whitespacesAndNewlines) == "0")
    }
}
