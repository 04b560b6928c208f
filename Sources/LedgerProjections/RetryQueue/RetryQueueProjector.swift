import GRDB
import LedgerCore

/// Maintains `retry_queue`, one row per lead.
public struct RetryQueueProjector: Projector {
    public let name = "retry_queue"
    public let version = 3  // 2: the `spam` state; 3: `unknown_streak`

    public init() {}

    public func createTables(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE retry_queue (
                    lead_id TEXT PRIMARY KEY NOT NULL,
                    state TEXT NOT NULL CHECK (state IN ('pending', 'in_flight', 'synced', 'dead', 'spam')),
                    received_at INTEGER NOT NULL,
                    attempts INTEGER NOT NULL,
                    failures INTEGER NOT NULL,
                    next_attempt_at INTEGER,
                    in_flight_attempt_id TEXT,
                    last_attempt_at INTEGER,
                    last_error_class TEXT,
                    last_http_status INTEGER,
                    last_error TEXT,
                    crm_lead_id INTEGER,
                    crm_contact_id INTEGER,
                    synced_at INTEGER,
                    requeues INTEGER NOT NULL,
                    attempts_before_requeue INTEGER NOT NULL,
                    unknown_streak INTEGER NOT NULL,
                    erased INTEGER NOT NULL,
                    updated_seq INTEGER NOT NULL
                ) STRICT, WITHOUT ROWID;
                CREATE INDEX retry_queue_due ON retry_queue (state, next_attempt_at);
                CREATE INDEX retry_queue_age ON retry_queue (state, received_at);
                """)
    }

    public func dropTables(_ db: Database) throws {
        try db.execute(sql: "DROP TABLE IF EXISTS retry_queue")
    }

    public func apply(_ events: [ProjectedEvent], _ db: Database) throws {
        try LeadRowFolder<RetryQueueEntry>(projector: name).apply(events, db)
    }
}
