/// The bounds `leadledger import` holds a file to, on top of the per-field `IngestLimits` every row obeys.
///
/// An export is read whole into memory and validated before anything is written (so a file that breaks a limit
/// writes nothing), which is why its size is capped; the caps on rows and on one record keep a wrong file (a
/// database dump, a binary, a CSV whose quote never closes) from costing more than a bounded read.
public struct ImportLimits: Sendable, Equatable {
    /// The whole file. Default 64 MiB (about 200,000 typical leads). Larger: refused before reading.
    public var maxFileBytes: Int
    /// Records (rows after the header, valid or not; blank lines do not count). Default 100,000. More: refused
    /// whole, nothing written.
    public var maxRows: Int
    /// One record: a CSV row with its quoted line breaks, or one JSON line. Default 65,536, the ingest body limit:
    /// no row can carry more than a form post could. Longer: that row is invalid, the rest are read on.
    public var maxRecordBytes: Int

    public static let defaultMaxFileBytes = 64 * 1024 * 1024
    public static let defaultMaxRows = 100_000
    public static let defaultMaxRecordBytes = 65_536

    public init(
        maxFileBytes: Int = ImportLimits.defaultMaxFileBytes, maxRows: Int = ImportLimits.defaultMaxRows,
        maxRecordBytes: Int = ImportLimits.defaultMaxRecordBytes
    ) {
        self.maxFileBytes = maxFileBytes
        self.maxRows = maxRows
        self.maxRecordBytes = maxRecordBytes
    }
}
