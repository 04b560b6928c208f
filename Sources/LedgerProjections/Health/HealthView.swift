import GRDB
import LedgerCore

/// The ledger's health as read models see it, at one instant: totals, queue, and the conservation check.
public struct HealthView: Sendable, Equatable, Codable {
    public var totals: HealthTotals
    public var queue: QueueCounts
    /// Age of the oldest lead not yet in the CRM (pending or in flight), in seconds; nil when none waits.
    public var oldestPendingAgeSeconds: Int64?
    public var deadCount: Int64 { queue.dead }
    /// received = synced + pending + in flight + dead + spam. False means a lead fell out of the books: raise an alert.
    public var conservationHolds: Bool { totals.receivedTotal == queue.total }

    public init(totals: HealthTotals = HealthTotals(), queue: QueueCounts = QueueCounts(), oldestPendingAgeSeconds: Int64? = nil)
    {
        self.totals = totals
        self.queue = queue
        self.oldestPendingAgeSeconds = oldestPendingAgeSeconds
    }

    /// Reads the health view and the queue in one snapshot of the read models.
    public static func load(_ store: ReadModelStore, now: Timestamp) throws -> HealthView {
        try store.database.read { db in try load(db, now: now) }
    }

    static func load(_ db: Database, now: Timestamp) throws -> HealthView {
        guard try db.tableExists("health_view"), try db.tableExists("retry_queue") else {
            return HealthView(totals: HealthTotals(), queue: QueueCounts(), oldestPendingAgeSeconds: nil)
        }
        let totals = try HealthTotals.fetchOne(db, key: 1) ?? HealthTotals()
        let queue = try QueueCounts.load(db)
        let oldest = try Int64.fetchOne(
            db, sql: "SELECT min(received_at) FROM retry_queue WHERE state IN ('pending', 'in_flight')")
        let age = oldest.map { max(0, (now.millisecondsSinceEpoch - $0) / 1000) }
        return HealthView(totals: totals, queue: queue, oldestPendingAgeSeconds: age)
    }
}

/// How many leads are in each state of the retry queue.
public struct QueueCounts: Sendable, Equatable, Codable {
    public var pending: Int64 = 0
    public var inFlight: Int64 = 0
    public var synced: Int64 = 0
    public var dead: Int64 = 0
    public var spam: Int64 = 0

    public init() {}

    public var total: Int64 { pending + inFlight + synced + dead + spam }

    static func load(_ db: Database) throws -> QueueCounts {
        var counts = QueueCounts()
        for row in try Row.fetchAll(db, sql: "SELECT state, count(*) AS n FROM retry_queue GROUP BY state") {
            let count: Int64 = row["n"]
            switch LeadSyncState(rawValue: row["state"]) {
            case .pending: counts.pending = count
            case .inFlight: counts.inFlight = count
            case .synced: counts.synced = count
            case .dead: counts.dead = count
            case .spam: counts.spam = count
            case nil: break
            }
        }
        return counts
    }
}
