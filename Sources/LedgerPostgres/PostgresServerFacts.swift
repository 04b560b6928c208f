import LedgerStore
import Logging
import PostgresNIO

/// What the server says about itself, read at open and shown by `check-config`: its version and the two settings a
/// durable acknowledgement depends on, as this connection sees them.
public struct PostgresServerFacts: Sendable, Equatable {
    /// `server_version_num`, such as 150018.
    public var versionNumber: Int
    /// `version()`, such as "PostgreSQL 15.18 (Debian …) on x86_64-pc-linux-gnu".
    public var version: String
    public var fsync: String
    public var synchronousCommit: String

    /// For `check-config`: "PostgreSQL 15.18, fsync on, synchronous_commit on".
    public var summary: String {
        let release = version.split(separator: " ").prefix(2).joined(separator: " ")
        return "\(release), fsync \(fsync), synchronous_commit \(synchronousCommit)"
    }

    static func read(_ connection: PostgresConnection, _ logger: Logger) async throws -> PostgresServerFacts {
        let rows = try await connection.query(
            """
            SELECT current_setting('server_version_num')::int, version(), current_setting('fsync'),
                   current_setting('synchronous_commit')
            """, logger: logger)
        for try await (number, version, fsync, synchronous) in rows.decode((Int, String, String, String).self) {
            return PostgresServerFacts(versionNumber: number, version: version, fsync: fsync, synchronousCommit: synchronous)
        }
        throw StoreError(.other, "the server returned no settings")
    }

    /// Refuses a server that would acknowledge a commit it could lose: `fsync=off` loses data on a crash, and
    /// `synchronous_commit=off` acknowledges before the commit is flushed. PostgreSQL 13 is the oldest supported.
    func requireDurability(_ location: PostgresLocation) throws(StoreError) {
        guard versionNumber >= 130_000 else {
            throw StoreError(
                .cannotOpen, "PostgreSQL \(versionNumber / 10_000) is too old; 13 or newer is needed",
                path: location.description)
        }
        guard fsync == "on" else {
            throw StoreError(
                .durabilityNotGuaranteed, "fsync is \(fsync) on the server; a crash could lose acknowledged leads",
                path: location.description)
        }
        guard synchronousCommit != "off" else {
            throw StoreError(
                .durabilityNotGuaranteed,
                "synchronous_commit is off for this role; commits would be acknowledged before they are durable",
                path: location.description)
        }
    }
}
