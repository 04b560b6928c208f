import LedgerCore
import LedgerStore
import Logging
import PostgresNIO

/// Applies `PostgresSchema.migrations` in one transaction under an advisory lock, so processes starting together on
/// an empty database do not race, and refuses a database a newer LeadLedger has migrated further.
enum PostgresMigrator {
    /// Returns the contact-fingerprint secret, made here by whichever process migrates first.
    static func migrate(
        _ client: PostgresClient, _ location: PostgresLocation, create: Bool, _ logger: Logger
    ) async throws -> [UInt8] {
        try await client.withTransaction(logger: logger) { connection in
            try await connection.execute("SELECT pg_advisory_xact_lock(\(PostgresSchema.migrationLock))", logger: logger)
            // Each step only when needed: a ledger role without CREATE or UPDATE opens a migrated database.
            var exists = false
            for try await found in try await connection.query(
                "SELECT to_regclass('ledger_migration') IS NOT NULL", logger: logger
            ).decode(Bool.self) {
                exists = found
            }
            if !exists {
                guard create else {
                    throw StoreError(
                        .notFound, "no event log in this database (none of the ledger's tables); check LEADLEDGER_DB",
                        path: location.description)
                }
                try await connection.execute(
                    "CREATE TABLE ledger_migration (name text PRIMARY KEY, applied_at bigint NOT NULL)", logger: logger)
            }
            var applied: Set<String> = []
            for try await name in try await connection.query("SELECT name FROM ledger_migration", logger: logger)
                .decode(String.self)
            {
                applied.insert(name)
            }
            let known = Set(PostgresSchema.migrations.map(\.name))
            let unknown = applied.subtracting(known)
            guard unknown.isEmpty else {
                throw StoreError(
                    .schemaTooNew,
                    "the database was migrated by a newer LeadLedger (unknown migrations: "
                        + "\(unknown.sorted().joined(separator: ", "))); upgrade this binary",
                    path: location.description)
            }
            for migration in PostgresSchema.migrations where !applied.contains(migration.name) {
                for statement in migration.statements {
                    try await connection.execute(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                let now = SystemClock().now().millisecondsSinceEpoch
                try await connection.execute(
                    "INSERT INTO ledger_migration (name, applied_at) VALUES (\(migration.name), \(now))", logger: logger)
            }
            // The contact-fingerprint key: made once, by whichever process migrates first.
            if let secret = try await connection.bytes(PostgresSchema.contactSecretQuery, logger: logger) {
                return secret
            }
            let secret = (0..<32).map { _ in UInt8.random(in: .min ... .max) }
            try await connection.execute(
                "INSERT INTO ledger_secret (name, value) VALUES ('contact_fingerprint', \(ByteBuffer(bytes: secret)))",
                logger: logger)
            return secret
        }
    }
}
