import GRDB
import LedgerCore

/// A failure of the event log, with the context needed to act on it: which file, what SQLite said, and whether it
/// is the storage itself that is unavailable (ingest answers 503) or a logic conflict.
public struct StoreError: Error, CustomStringConvertible {
    public enum Code: Sendable, Equatable {
        /// Another process held the write lock past the busy timeout.
        case busy
        /// The disk or the file's size limit is full.
        case full
        /// The file or its directory cannot be written.
        case readOnly
        /// The OS reported an I/O error (including a failed fsync).
        case ioError
        /// The file could not be opened or created.
        case cannotOpen
        /// The file is not a database or is damaged.
        case corrupt
        /// The file was written by a newer LeadLedger whose migrations this binary does not know.
        case schemaTooNew
        /// The connection does not have the durability settings the ledger promises (WAL, synchronous=FULL).
        case durabilityNotGuaranteed
        /// An append's expected stream version did not match.
        case versionConflict
        /// The event refers to something the log does not hold (e.g. erasing an unknown lead).
        case notFound
        /// The event itself is unacceptable (invalid field, unencodable).
        case invalidEvent
        /// Anything else SQLite reported.
        case other
    }

    public var code: Code
    public var message: String
    public var path: String?
    public var sqliteCode: Int32?

    public init(_ code: Code, _ message: String, path: String? = nil, sqliteCode: Int32? = nil) {
        self.code = code
        self.message = message
        self.path = path
        self.sqliteCode = sqliteCode
    }

    /// True when the failure is the storage's, not the request's: the caller should answer 503 and try later.
    public var isStorageUnavailable: Bool {
        [.busy, .full, .readOnly, .ioError, .cannotOpen].contains(code)
    }

    public var description: String {
        var text = "event log: \(message)"
        if let sqliteCode { text += " (SQLite code \(sqliteCode))" }
        if let path { text += " [\(path)]" }
        return text
    }

    /// Classifies any error thrown inside a database access. GRDB's `DatabaseError` never includes statement
    /// arguments in its description unless asked, so personal data does not leak into the message.
    static func wrap(_ error: any Error, path: String?) -> StoreError {
        if let error = error as? StoreError { return error }
        guard let error = error as? DatabaseError else {
            return StoreError(.other, String(describing: error), path: path)
        }
        let code: Code =
            switch error.resultCode {
            case .SQLITE_BUSY, .SQLITE_LOCKED: .busy
            case .SQLITE_FULL: .full
            case .SQLITE_READONLY, .SQLITE_PERM, .SQLITE_AUTH: .readOnly
            case .SQLITE_IOERR: .ioError
            case .SQLITE_CANTOPEN: .cannotOpen
            case .SQLITE_CORRUPT, .SQLITE_NOTADB: .corrupt
            default: .other
            }
        return StoreError(code, error.message ?? "\(error.resultCode)", path: path, sqliteCode: error.extendedResultCode.rawValue)
    }
}
