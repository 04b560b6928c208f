import GRDB
import LedgerCore

/// One lead as the cost report needs it: when it came, from which campaign, and how its delivery ended.
public struct CostReportEntry: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "cost_report_lead"

    public var leadID: LeadID
    public var receivedAt: Timestamp
    public var origin: LeadOrigin
    public var utmSource: String?
    public var utmCampaign: String?
    public var state: LeadSyncState
    /// Failed attempts before it was delivered (or so far).
    public var failures: Int
    public var syncedAt: Timestamp?
    public var lastErrorClass: SyncErrorClass?
    public var updatedSeq: Int64

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case leadID = "lead_id"
        case receivedAt = "received_at"
        case origin
        case utmSource = "utm_source"
        case utmCampaign = "utm_campaign"
        case state, failures
        case syncedAt = "synced_at"
        case lastErrorClass = "last_error_class"
        case updatedSeq = "updated_seq"
    }
}

extension CostReportEntry {
    /// The table's columns in declaration order; every query selects exactly these, so `init(row:)` reads by index.
    public static let columns =
        "lead_id, received_at, origin, utm_source, utm_campaign, state, failures, synced_at, last_error_class, updated_seq"

    public init(row: Row) throws {
        guard let leadID = LeadID(row[0] as String), let origin = LeadOrigin(rawValue: row[2]),
            let state = LeadSyncState(rawValue: row[5])
        else { throw RowDecodingError(table: Self.databaseTableName, value: row[0] as String) }
        self.init(
            leadID: leadID, receivedAt: Timestamp(millisecondsSinceEpoch: row[1]), origin: origin, utmSource: row[3],
            utmCampaign: row[4], state: state, failures: row[6],
            syncedAt: (row[7] as Int64?).map(Timestamp.init(millisecondsSinceEpoch:)),
            lastErrorClass: (row[8] as String?).flatMap(SyncErrorClass.init(rawValue:)), updatedSeq: row[9])
    }
}

extension CostReportEntry: LeadRow {
    init(
        received projected: ProjectedEvent, leadID: LeadID, receivedAt: Timestamp, origin: LeadOrigin, utmSource: String?,
        utmCampaign: String?, spam: Bool
    ) {
        self.init(
            leadID: leadID, receivedAt: receivedAt, origin: origin, utmSource: utmSource, utmCampaign: utmCampaign,
            state: spam ? .spam : .pending, failures: 0, syncedAt: nil, lastErrorClass: nil, updatedSeq: projected.seq)
    }

    mutating func apply(_ projected: ProjectedEvent) {
        let previous = state
        state = previous.applying(projected.fact)
        updatedSeq = projected.seq
        guard previous != .synced else { return }
        switch projected.fact {
        case .failed(_, let errorClass, _, _, _, _):
            failures += 1
            lastErrorClass = errorClass
        case .succeeded:
            syncedAt = projected.recordedAt
        default:
            break
        }
    }

    static func fetch(_ db: Database, leadID: LeadID) throws -> CostReportEntry? {
        let statement = try db.cachedStatement(sql: "SELECT \(columns) FROM cost_report_lead WHERE lead_id = ?")
        return try CostReportEntry.fetchOne(statement, arguments: [leadID.description])
    }

    func save(_ db: Database) throws {
        let statement = try db.cachedStatement(
            sql: """
                INSERT OR REPLACE INTO cost_report_lead (
                    lead_id, received_at, origin, utm_source, utm_campaign, state, failures, synced_at,
                    last_error_class, updated_seq)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        // An array literal binds through `(any DatabaseValueConvertible)?`; GRDB's generic `Sequence` initializer maps
        // through a key path that Swift instantiates on every call, which dominated rebuild profiles.
        try statement.execute(arguments: [
            leadID.description,
            receivedAt.millisecondsSinceEpoch,
            origin.rawValue,
            utmSource,
            utmCampaign,
            state.rawValue,
            failures,
            (syncedAt?.millisecondsSinceEpoch),
            (lastErrorClass?.rawValue),
            updatedSeq,
        ])
    }
}

/// Maintains `cost_report_lead`, indexed by arrival time so a day's report is one range scan.
public struct CostReportProjector: Projector {
    public let name = "cost_report"
    public let version = 2  // 2: the `spam` state

    public init() {}

    public func createTables(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE cost_report_lead (
                    lead_id TEXT PRIMARY KEY NOT NULL,
                    received_at INTEGER NOT NULL,
                    origin TEXT NOT NULL,
                    utm_source TEXT,
                    utm_campaign TEXT,
                    state TEXT NOT NULL,
                    failures INTEGER NOT NULL,
                    synced_at INTEGER,
                    last_error_class TEXT,
                    updated_seq INTEGER NOT NULL
                ) STRICT, WITHOUT ROWID;
                CREATE INDEX cost_report_lead_received ON cost_report_lead (received_at);
                """)
    }

    public func dropTables(_ db: Database) throws {
        try db.execute(sql: "DROP TABLE IF EXISTS cost_report_lead")
    }

    public func apply(_ events: [ProjectedEvent], _ db: Database) throws {
        try LeadRowFolder<CostReportEntry>(projector: name).apply(events, db)
    }
}
