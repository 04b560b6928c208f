import Foundation
import LedgerCore

/// Where a PostgreSQL ledger lives: `LEADLEDGER_DB` as a `postgres://` or `postgresql://` URL, the libpq form every
/// hosting provider hands out.
///
/// `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE?sslmode=MODE&application_name=NAME`. The password comes from the
/// URL or, when the URL has none, from `LEADLEDGER_DB_PASSWORD`; it is kept as a `Secret` and never appears in a
/// description, a log line or an error. Unknown query parameters are refused rather than ignored: a misspelt
/// `sslmode` must not silently connect without TLS.
public struct PostgresLocation: Sendable, Equatable, CustomStringConvertible {
    /// libpq's `sslmode` values. `verify-ca` and `verify-full` check the server's certificate against the system's
    /// trust store; `require` encrypts without checking who answers, as libpq does.
    public enum SSLMode: String, Sendable, Equatable, CaseIterable {
        case disable, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var database: String
    public var user: String
    public var password: Secret?
    /// libpq's default, `prefer`, when the URL names none.
    public var sslMode: SSLMode
    /// Shown in `pg_stat_activity`, so a DBA sees which process holds a connection.
    public var applicationName: String

    /// True when `text` is meant as a PostgreSQL URL rather than a SQLite path.
    public static func isURL(_ text: String) -> Bool {
        let lowered = text.lowercased()
        return lowered.hasPrefix("postgres://") || lowered.hasPrefix("postgresql://")
    }

    /// Parses `url`; `fallbackPassword` is `LEADLEDGER_DB_PASSWORD`, used when the URL carries no password.
    public init(url: String, fallbackPassword: Secret? = nil) throws(PostgresLocationError) {
        guard Self.isURL(url), let components = URLComponents(string: url) else {
            throw PostgresLocationError("is not a postgres://USER@HOST[:PORT]/DATABASE URL")
        }
        guard let host = components.host, !host.isEmpty else { throw PostgresLocationError("names no host") }
        guard let user = components.user, !user.isEmpty else { throw PostgresLocationError("names no user") }
        let port = components.port ?? 5432
        guard (1...65_535).contains(port) else { throw PostgresLocationError("has port \(port), outside 1…65535") }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else {
            throw PostgresLocationError("names no database (postgres://USER@HOST/DATABASE)")
        }
        var sslMode = SSLMode.prefer
        var applicationName = "leadledger"
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let value = item.value, let mode = SSLMode(rawValue: value) else {
                    let allowed = SSLMode.allCases.map(\.rawValue).joined(separator: ", ")
                    throw PostgresLocationError("has sslmode \"\(item.value ?? "")\"; use one of \(allowed)")
                }
                sslMode = mode
            case "application_name":
                guard let value = item.value, (1...63).contains(value.utf8.count) else {
                    throw PostgresLocationError("has an application_name that is empty or over 63 bytes")
                }
                applicationName = value
            default:
                throw PostgresLocationError("has an unknown parameter \"\(item.name)\" (known: sslmode, application_name)")
            }
        }
        self.host = host
        self.port = port
        self.database = database
        self.user = user
        self.password = components.password.flatMap { $0.isEmpty ? nil : Secret($0) } ?? fallbackPassword
        self.sslMode = sslMode
        self.applicationName = applicationName
    }

    /// The URL without its password: safe for logs, health and errors.
    public var description: String {
        "postgres://\(user)@\(host):\(port)/\(database)?sslmode=\(sslMode.rawValue)&application_name=\(applicationName)"
    }
}

/// `LEADLEDGER_DB` is not a usable PostgreSQL URL. The message never repeats the URL, which may hold a password.
public struct PostgresLocationError: Error, Equatable, CustomStringConvertible {
    public var reason: String

    init(_ reason: String) { self.reason = reason }

    public var description: String { "LEADLEDGER_DB \(reason)" }
}
