import LedgerStore
import PostgresNIO

extension StoreError {
    /// Classifies a failure of a PostgreSQL call. A storage failure (the server down or restarting, out of
    /// connections, too slow, read-only) is one ingest answers 503 to; the rest are the request's or the setup's.
    ///
    /// Only the server's primary message is kept, never its detail (which can quote a row's values) and never the
    /// connection's password, which no error of the client carries.
    static func postgres(_ error: any Error, location: PostgresLocation) -> StoreError {
        if let error = error as? StoreError { return error }
        let path = location.description
        if let transaction = error as? PostgresTransactionError {
            // A failed COMMIT leaves the outcome unknown; it is classified like any storage failure (the caller
            // answers 5xx, and an idempotency key makes the client's retry safe).
            let cause = transaction.closureError ?? transaction.commitError ?? transaction.beginError
            return postgres(cause ?? transaction.rollbackError ?? CancellationError(), location: location)
        }
        if error is CancellationError {
            return StoreError(.busy, "the PostgreSQL call was cancelled", path: path)
        }
        guard let error = error as? PSQLError else {
            return StoreError(.other, String(describing: error), path: path)
        }
        switch error.code {
        case .server:
            let state = error.serverInfo?[.sqlState] ?? ""
            let message = error.serverInfo?[.message] ?? "server error"
            return StoreError(code(sqlState: state), "PostgreSQL \(state): \(message)\(hint(sqlState: state))", path: path)
        case .connectionError, .serverClosedConnection, .uncleanShutdown, .clientClosedConnection, .poolClosed:
            return StoreError(.ioError, "PostgreSQL connection: \(error.code)", path: path)
        case .queryCancelled:
            return StoreError(.busy, "the PostgreSQL query was cancelled", path: path)
        case .authMechanismRequiresPassword:
            return StoreError(
                .cannotOpen, "the PostgreSQL server asks for a password and none is given (in the URL or LEADLEDGER_DB_PASSWORD)",
                path: path)
        case .saslError:
            return StoreError(.cannotOpen, "PostgreSQL SCRAM authentication failed; check the password", path: path)
        case .unsupportedAuthMechanism:
            return StoreError(
                .cannotOpen, "the PostgreSQL server asks for an authentication method this client lacks (use scram-sha-256)",
                path: path)
        case .sslUnsupported:
            return StoreError(
                .cannotOpen, "the PostgreSQL server offers no TLS, which the URL's sslmode requires", path: path)
        case .failedToAddSSLHandler, .receivedUnencryptedDataAfterSSLRequest:
            return StoreError(.cannotOpen, "TLS to the PostgreSQL server could not be set up (\(error.code))", path: path)
        default:
            return StoreError(.other, "PostgreSQL: \(error.code)", path: path)
        }
    }

    /// What the owner should look at, for the failures a setting causes.
    static func hint(sqlState: String) -> String {
        switch sqlState {
        case "28P01", "28000":
            "; check the user and password in the URL (LEADLEDGER_DB or migrate --to) or LEADLEDGER_DB_PASSWORD"
        case "3D000": "; the database named in LEADLEDGER_DB does not exist"
        case "42501": "; the ledger's role lacks a privilege it needs (see docs/POSTGRES.md for the GRANTs)"
        default: ""
        }
    }

    /// SQLSTATE classes and codes that say what to do
    /// (https://www.postgresql.org/docs/current/errcodes-appendix.html).
    static func code(sqlState: String) -> Code {
        switch sqlState {
        case "57014", "55P03", "40001", "40P01", "53300", "57P03": .busy  // timeout, lock, conflict, too many, starting
        case "57P01", "57P02": .ioError  // the server is shutting down or crashed
        case "53100": .full  // disk full
        case "25006", "42501": .readOnly  // a read-only standby, or no privilege to write
        case "28000", "28P01", "3D000": .cannotOpen  // authentication, unknown database
        case "XX001", "XX002": .corrupt
        case _ where sqlState.hasPrefix("08"): .ioError  // connection exceptions
        case _ where sqlState.hasPrefix("58"): .ioError  // system errors (I/O)
        default: .other
        }
    }
}
