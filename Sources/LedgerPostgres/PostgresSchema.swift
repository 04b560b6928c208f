import PostgresNIO

/// The ledger's tables in PostgreSQL, as named migrations applied in order. A migration is never edited once it has
/// shipped: a change is a new migration. A binary that finds an applied migration it does not know refuses the
/// database (`schemaTooNew`), as it refuses a newer SQLite file.
///
/// The columns are those of the SQLite log, with the same checks, so an event moves between backends unchanged and
/// hashes identically. Ids compare byte by byte (`COLLATE "C"`, SQLite's order): a lead id window is a text range,
/// and a locale's collation would order `-` and `~` differently. `data` is `text`, not `jsonb`: the hash covers the exact bytes, and `jsonb` would reorder keys.
enum PostgresSchema {
    /// The extended query protocol runs one statement per query, so a migration is a list of them.
    struct Migration {
        var name: String
        var statements: [String]
    }

    static let migrations: [Migration] = [
        Migration(
            name: "2026-12-07-event-log",
            statements: [
                """
                CREATE TABLE event (
                    seq bigint PRIMARY KEY CHECK (seq >= 1),
                    stream text COLLATE "C" NOT NULL CHECK (length(stream) BETWEEN 1 AND 128),
                    version bigint NOT NULL CHECK (version >= 1),
                    type text NOT NULL CHECK (length(type) BETWEEN 1 AND 64),
                    schema_version integer NOT NULL CHECK (schema_version >= 1),
                    data text NOT NULL CHECK (data::jsonb IS NOT NULL),
                    recorded_at bigint NOT NULL,
                    prev_hash text NOT NULL CHECK (length(prev_hash) = 64),
                    hash text NOT NULL CHECK (length(hash) = 64),
                    UNIQUE (stream, version)
                )
                """,
                """
                CREATE FUNCTION event_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    RAISE EXCEPTION 'the event log is append-only: % refused', TG_OP USING ERRCODE = 'P0001';
                END $$
                """,
                """
                CREATE TRIGGER event_refuse_update BEFORE UPDATE ON event
                    FOR EACH ROW EXECUTE FUNCTION event_refuse_change()
                """,
                """
                CREATE TRIGGER event_refuse_delete BEFORE DELETE ON event
                    FOR EACH ROW EXECUTE FUNCTION event_refuse_change()
                """,
                """
                CREATE TRIGGER event_refuse_truncate BEFORE TRUNCATE ON event
                    FOR EACH STATEMENT EXECUTE FUNCTION event_refuse_change()
                """,
                """
                -- An idempotency key is unique in the log forever; the index is the proof, and the fast lookup.
                CREATE UNIQUE INDEX event_idempotency_key ON event (((data::jsonb) ->> 'idempotency_key'))
                    WHERE type = 'LeadReceived' AND (data::jsonb) ->> 'idempotency_key' IS NOT NULL
                """,
                """
                CREATE INDEX event_recorded_at ON event (recorded_at)
                """,
                """
                CREATE INDEX event_type_seq ON event (type, seq)
                """,
                """
                -- Everything erasable about a lead, in one row outside the event table, so erasure deletes one row.
                CREATE TABLE lead_key (
                    lead_id text COLLATE "C" PRIMARY KEY,
                    key bytea NOT NULL CHECK (length(key) = 32),
                    phone_fingerprint text CHECK (phone_fingerprint IS NULL OR length(phone_fingerprint) = 64),
                    email_fingerprint text CHECK (email_fingerprint IS NULL OR length(email_fingerprint) = 64),
                    submission_fingerprint text
                )
                """,
                """
                -- Double submissions are found by contact, in an id (arrival time) window: both are indexed.
                CREATE INDEX lead_key_phone ON lead_key (phone_fingerprint, lead_id) WHERE phone_fingerprint IS NOT NULL
                """,
                """
                CREATE INDEX lead_key_email ON lead_key (email_fingerprint, lead_id) WHERE email_fingerprint IS NOT NULL
                """,
                """
                -- Secrets of the ledger itself (the contact-fingerprint HMAC key), made once per database.
                CREATE TABLE ledger_secret (
                    name text PRIMARY KEY,
                    value bytea NOT NULL
                )
                """,
            ]),
        Migration(
            name: "2026-12-08-chain-head",
            statements: [
                """
                -- The chain's end, one row. A writer locks it (SELECT ... FOR UPDATE) and so reads the newest head in
                -- the statement that serialises it with every other writer, and moves it in the statement that
                -- inserts its events. seq 0 (hash NULL) is the empty log.
                CREATE TABLE chain_head (
                    id boolean PRIMARY KEY DEFAULT true CHECK (id),
                    seq bigint NOT NULL CHECK (seq >= 0),
                    hash text CHECK ((seq = 0) = (hash IS NULL) AND (hash IS NULL OR length(hash) = 64))
                )
                """,
                """
                INSERT INTO chain_head (seq, hash)
                SELECT coalesce(max(seq), 0), (SELECT hash FROM event ORDER BY seq DESC LIMIT 1) FROM event
                """,
            ]),
    ]

    /// The contact-fingerprint secret, made once per database by the first migration run.
    static let contactSecretQuery: PostgresQuery = "SELECT value FROM ledger_secret WHERE name = 'contact_fingerprint'"

    /// The append-only triggers `verify` requires, each still calling the refusing function.
    static let appendOnlyTriggers = ["event_refuse_update", "event_refuse_delete", "event_refuse_truncate"]

    /// What every write takes first: the chain-head row's lock, held to COMMIT, so writes are serialised, `seq` has
    /// no gaps and two writers can never fork the chain (SQLite's `BEGIN IMMEDIATE`). In READ COMMITTED a row
    /// lock waited for returns the row as the previous holder committed it, so the head comes with the lock in one
    /// round trip; the statements after it see everything that holder wrote.
    static let lockHeadQuery: PostgresQuery = "SELECT seq, hash FROM chain_head FOR UPDATE"
    /// The advisory lock migrations take, so two processes starting on an empty database do not race.
    static let migrationLock: Int64 = 0x4C_4C_4D_49_47_52_54
}
