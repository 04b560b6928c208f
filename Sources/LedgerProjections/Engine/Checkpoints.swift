import GRDB

/// The `projection_checkpoint` table: per projector, the last seq it folded and the version of its fold.
enum Checkpoints {
    static func createTable(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE IF NOT EXISTS projection_checkpoint (
                    name TEXT PRIMARY KEY NOT NULL,
                    version INTEGER NOT NULL,
                    seq INTEGER NOT NULL CHECK (seq >= 0)
                ) STRICT, WITHOUT ROWID
                """)
    }

    /// Makes sure the projector's tables exist at its current version, dropping a stale version, and returns its
    /// checkpoint.
    static func prepare(_ projector: any Projector, _ db: Database) throws -> Int64 {
        let row = try Row.fetchOne(
            db, sql: "SELECT version, seq FROM projection_checkpoint WHERE name = ?", arguments: [projector.name])
        if let row, (row["version"] as Int) == projector.version {
            return row["seq"]
        }
        try projector.dropTables(db)
        try projector.createTables(db)
        try db.execute(
            sql: "INSERT OR REPLACE INTO projection_checkpoint (name, version, seq) VALUES (?, ?, 0)",
            arguments: [projector.name, projector.version])
        return 0
    }

    static func load(_ projector: any Projector, _ db: Database) throws -> Int64 {
        guard try db.tableExists("projection_checkpoint") else { return 0 }
        return try Int64.fetchOne(
            db, sql: "SELECT seq FROM projection_checkpoint WHERE name = ? AND version = ?",
            arguments: [projector.name, projector.version]) ?? 0
    }

    static func save(_ projector: any Projector, seq: Int64, _ db: Database) throws {
        try db.execute(
            sql: "UPDATE projection_checkpoint SET seq = ? WHERE name = ?", arguments: [seq, projector.name])
    }

    static func remove(_ projector: any Projector, _ db: Database) throws {
        try db.execute(sql: "DELETE FROM projection_checkpoint WHERE name = ?", arguments: [projector.name])
    }
}
