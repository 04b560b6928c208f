import GRDB

/// The log's migrations, registered by name. A migration is never edited once it has shipped: a change is a new
/// migration. A binary that finds a migration it does not know refuses the file (`schemaTooNew`).
enum LogSchema {
    static func migrator() -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("2026-11-29-event-log") { db in
            try db.execute(
                sql: """
                    CREATE TABLE event (
                        seq INTEGER PRIMARY KEY CHECK (seq >= 1),
                        stream TEXT NOT NULL CHECK (length(stream) BETWEEN 1 AND 128),
                        version INTEGER NOT NULL CHECK (version >= 1),
                        type TEXT NOT NULL CHECK (length(type) BETWEEN 1 AND 64),
                        schema_version INTEGER NOT NULL CHECK (schema_version >= 1),
                        data TEXT NOT NULL CHECK (json_valid(data)),
                        recorded_at INTEGER NOT NULL,
                        prev_hash TEXT NOT NULL CHECK (length(prev_hash) = 64),
                        hash TEXT NOT NULL CHECK (length(hash) = 64),
                        UNIQUE (stream, version)
                    ) STRICT;

                    CREATE TRIGGER event_refuse_update BEFORE UPDATE ON event
                    BEGIN SELECT RAISE(ABORT, 'the event log is append-only: UPDATE refused'); END;

                    CREATE TRIGGER event_refuse_delete BEFORE DELETE ON event
                    BEGIN SELECT RAISE(ABORT, 'the event log is append-only: DELETE refused'); END;

                    -- An idempotency key is unique in the log forever; the index is the proof, and the fast lookup.
                    CREATE UNIQUE INDEX event_idempotency_key ON event (json_extract(data, '$.idempotency_key'))
                    WHERE type = 'LeadReceived' AND json_extract(data, '$.idempotency_key') IS NOT NULL;

                    CREATE INDEX event_recorded_at ON event (recorded_at);

                    -- Everything erasable about a lead, in one row outside the event table so that erasure deletes
                    -- one row: the key of its sealed personal data, and keyed fingerprints of its phone and email
                    -- (for deduplication). Keyed by the time-ordered lead id, so inserts append; deduplication looks
                    -- only at a recent window, a range of lead ids, so the fingerprints need no index of their own
                    -- (random-key indexes doubled the pages each ingest commit wrote).
                    CREATE TABLE lead_key (
                        lead_id TEXT PRIMARY KEY NOT NULL,
                        key BLOB NOT NULL CHECK (length(key) = 32),
                        phone_fingerprint TEXT CHECK (phone_fingerprint IS NULL OR length(phone_fingerprint) = 64),
                        email_fingerprint TEXT CHECK (email_fingerprint IS NULL OR length(email_fingerprint) = 64),
                        -- SHA-256 of the normalised submission: tells a retried request (same Idempotency-Key, same
                        -- body) from a conflicting one. Derived from personal data, so erasable like the rest.
                        submission_fingerprint TEXT
                    ) STRICT, WITHOUT ROWID;

                    -- Secrets of the ledger itself (the contact-fingerprint HMAC key), made once per log.
                    CREATE TABLE ledger_secret (
                        name TEXT PRIMARY KEY NOT NULL,
                        value BLOB NOT NULL
                    ) STRICT, WITHOUT ROWID;
                    INSERT INTO ledger_secret (name, value) VALUES ('contact_fingerprint', randomblob(32));
                    """)
        }
        // The first schema kept fingerprints unindexed and scanned the recent window of lead ids instead. Under
        // load that scan grows with the arrival rate times the window (10 s at 800 leads/s = 8,000 rows, each
        // joined to its event) for every lead: the HTTP benchmark showed ingest spending most of its time there.
        // An index answers "this contact, since then" in a few page reads whatever the rate; with group commit the
        // extra index pages are shared by a whole batch.
        migrator.registerMigration("2026-11-29-contact-fingerprint-index") { db in
            try db.execute(
                sql: """
                    CREATE INDEX lead_key_phone ON lead_key (phone_fingerprint, lead_id)
                        WHERE phone_fingerprint IS NOT NULL;
                    CREATE INDEX lead_key_email ON lead_key (email_fingerprint, lead_id)
                        WHERE email_fingerprint IS NOT NULL;
                    """)
        }
        // The indexes above made every ingest commit write one random leaf page per contact (two per lead): half of
        // the pages and WAL bytes of a commit, and the largest single cost of durable ingest under load
        // (docs/BENCHMARKS.md). Live windows are now answered from memory (`RecentContacts`), each match confirmed by
        // the lead's `lead_key` row; closed windows (import) scan their range of lead ids, which is short. Dropping
        // the indexes also leaves one fewer on-disk copy of each fingerprint for erasure to zero.
        migrator.registerMigration("2026-11-29-contact-fingerprint-index-dropped") { db in
            try db.execute(sql: "DROP INDEX IF EXISTS lead_key_phone; DROP INDEX IF EXISTS lead_key_email;")
        }
        return migrator
    }

    /// Names of the triggers that make the event table append-only; `verify` checks they are still there.
    static let appendOnlyTriggers = ["event_refuse_update", "event_refuse_delete"]
}
