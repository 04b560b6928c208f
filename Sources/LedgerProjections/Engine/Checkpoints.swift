import GRDB

/// Where one projector stands: the last seq it folded and that event's hash (nil at seq 0, before any event).
struct Checkpoint: Equatable {
    var seq: Int64
    var hash: String?
}

/// The `projection_checkpoint` table of the read-model file: per projector, the version of its fold, the last seq it
/// folded, and the hash of that event. The hash ties the read models to one log: a log replaced under them (restored
/// from a backup, swapped for another) no longer has that hash at that seq, and the runner rebuilds the projector.
enum Checkpoints {
    static func createTable(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE IF NOT EXISTS projection_checkpoint (
                    name TEXT PRIMARY KEY NOT NULL,
                    version INTEGER NOT NULL,
                    seq INTEGER NOT NULL CHECK (seq >= 0),
                    hash TEXT CHECK ((seq = 0) = (hash IS NULL))
                ) STRICT, WITHOUT ROWID
                """)
    }

    /// Makes sure the projector's tables exist at its current version, dropping a stale version, and returns its
    /// checkpoint.
    static func prepare(_ projector: any Projector, _ db: Database) throws -> Checkpoint {
        let row = try Row.fetchOne(
            db, sql: "SELECT version, seq, hash FROM projection_checkpoint WHERE name = ?", arguments: [projector.name])
        if let row, (row["version"] as Int) == projector.version {
            return Checkpoint(seq: row["seq"], hash: row["hash"])
        }
        return try reset(projector, db)
    }

    /// Drops the projector's tables and creates them empty at checkpoint 0.
    static func reset(_ projector: any Projector, _ db: Database) throws -> Checkpoint {
        try projector.dropTables(db)
        try projector.createTables(db)
        try db.execute(
            sql: "INSERT OR REPLACE INTO projection_checkpoint (name, version, seq, hash) VALUES (?, ?, 0, NULL)",
            arguments: [projector.name, projector.version])
        return Checkpoint(seq: 0, hash: nil)
    }

    /// The checkpoint `prepare` would return, read without writing: nil when the projector's tables must first be
    /// (re)made (no row, or a row of another version).
    static func peek(_ projector: any Projector, _ db: Database) throws -> Checkpoint? {
        guard try db.tableExists("projection_checkpoint") else { return nil }
        let row = try Row.fetchOne(
            db, sql: "SELECT version, seq, hash FROM projection_checkpoint WHERE name = ?", arguments: [projector.name])
        guard let row, (row["version"] as Int) == projector.version else { return nil }
        return Checkpoint(seq: row["seq"], hash: row["hash"])
    }

    static func load(_ projector: any Projector, _ db: Database) throws -> Int64 {
        guard try db.tableExists("projection_checkpoint") else { return 0 }
        return try Int64.fetchOne(
            db, sql: "SELECT seq FROM projection_checkpoint WHERE name = ? AND version = ?",
            arguments: [projector.name, projector.version]) ?? 0
    }

    static func save(_ projector: any Projector, _ checkpoint: Checkpoint, _ db: Database) throws {
        try db.execute(
            sql: "UPDATE projection_checkpoint SET seq = ?, hash = ? WHERE name = ?",
            arguments: [checkpoint.seq, checkpoint.hash, projector.name])
    }

    static func remove(_ projector: any Projector, _ db: Database) throws {
        try db.execute(sql: "DELETE FROM projection_checkpoint WHERE name = ?", arguments: [projector.name])
    }
}
