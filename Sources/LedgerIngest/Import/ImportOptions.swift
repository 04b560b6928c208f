import LedgerCore

/// How the rows of one file are read and judged.
public struct ImportOptions: Sendable {
    public var columns: ImportColumns
    /// The same bounds `serve` holds a posted form to (`LEADLEDGER_MAX_COMMENT_BYTES`, `_MAX_EXTRA_FIELDS`, …): an
    /// imported row is a lead like any other and is refused for the same reasons.
    public var limits: IngestLimits
    public var fileLimits: ImportLimits
    /// Reads times without an offset in `LEADLEDGER_TIMEZONE`.
    public var time: ImportTime
    /// The form of rows that name none. Contact-and-form deduplication compares forms, and exports seldom have a
    /// form column while the leads that did reach the ledger do: without this they would never match.
    public var defaultFormID: String?
    /// The time of rows that have none. A fixed instant the operator chooses (the export's date), never the time of
    /// the import: "now" differs between two runs, so the second would not find the first's leads at their time.
    public var defaultReceivedAt: Timestamp?
    /// Times later than this are refused: an export holds leads that already arrived. `now` plus a few minutes for
    /// clocks that disagree.
    public var latestReceivedAt: Timestamp
    /// Times earlier than this are refused: a date such as 01.01.1900 is an empty spreadsheet cell, not a lead.
    public static let earliestReceivedAt = Timestamp(millisecondsSinceEpoch: 946_684_800_000)  // 2000-01-01

    public init(
        columns: ImportColumns, limits: IngestLimits = IngestLimits(), fileLimits: ImportLimits = ImportLimits(),
        time: ImportTime, defaultFormID: String? = nil, defaultReceivedAt: Timestamp? = nil, latestReceivedAt: Timestamp
    ) {
        self.columns = columns
        self.limits = limits
        self.fileLimits = fileLimits
        self.time = time
        self.defaultFormID = defaultFormID
        self.defaultReceivedAt = defaultReceivedAt
        self.latestReceivedAt = latestReceivedAt
    }

    /// `form_id` as ingest would store it, or why it cannot be one (for `--form`).
    public static func normalizedFormID(_ raw: String, limits: IngestLimits = IngestLimits()) -> Result<String, IngestRejection> {
        do {
            guard
                let value = try TextNormalizer.normalize(
                    raw, kind: .singleLine, field: "form_id", maxBytes: limits.maxShortFieldBytes)
            else { return .failure(IngestRejection(status: 422, error: "The form id is empty.", field: "form_id")) }
            return .success(value)
        } catch {
            return .failure(error)
        }
    }
}
