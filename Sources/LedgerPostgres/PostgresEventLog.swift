import Foundation
import LedgerCore
import LedgerStore
import Logging
import NIOSSL
import PostgresNIO
import Synchronization

/// The append-only, hash-chained event log in a PostgreSQL database: the same events, checks and hashes as the
/// SQLite log, so a log copied between the two verifies with identical hashes.
///
/// - Important: `append` returns only after COMMIT returned with `synchronous_commit=on` (set for every connection
///   of the pool) on a server with `fsync=on`, both read back at open. That is what lets ingest answer 2xx.
///
/// Every operation waits at most `PostgresLogOptions.operationTimeoutMilliseconds` for a connection and as long
/// again to end, and every statement is bounded by the server's `statement_timeout`: a database that is down, slow,
/// out of connections or gone mid-query fails the call with a storage error (503), it never hangs it.
public final class PostgresEventLog: Sendable {
    public let location: PostgresLocation
    public let options: PostgresLogOptions
    /// What the server said about itself at open.
    public let server: PostgresServerFacts
    let client: PostgresClient
    private let runner: Task<Void, Never>
    let clock: any LedgerClock
    let logger: Logger
    /// Seals and fingerprints leads under the database's contact secret, read at open; replaced only when a copy
    /// into the empty log brings the source's secret (`importVerbatim`).
    private let preparerState: Mutex<LeadPreparer>
    var preparer: LeadPreparer { preparerState.withLock { $0 } }

    private init(
        location: PostgresLocation, options: PostgresLogOptions, server: PostgresServerFacts, client: PostgresClient,
        runner: Task<Void, Never>, clock: any LedgerClock, logger: Logger, contactSecret: [UInt8]
    ) {
        self.preparerState = Mutex(LeadPreparer(contactSecret: contactSecret))
        self.location = location
        self.options = options
        self.server = server
        self.client = client
        self.runner = runner
        self.clock = clock
        self.logger = logger
    }

    /// Connects, checks that the server acknowledges only what is durable, applies migrations and makes the ledger's
    /// secret. Fails with a `StoreError` naming the problem (never the password); never returns a log it cannot
    /// trust.
    public static func open(
        _ location: PostgresLocation, options: PostgresLogOptions = PostgresLogOptions(),
        clock: any LedgerClock = SystemClock(), logger: Logger
    ) async throws(StoreError) -> PostgresEventLog {
        let bound = Duration.milliseconds(options.operationTimeoutMilliseconds)
        let facts = try await probe(location, options: options, logger: logger)
        let client = PostgresClient(configuration: try configuration(location, options), backgroundLogger: logger)
        let runner = Task { await client.run() }
        do {
            let secret = try await Self.bounded(bound, location) {
                try await PostgresMigrator.migrate(client, location, create: options.createIfMissing, logger)
            }
            return PostgresEventLog(
                location: location, options: options, server: facts, client: client, runner: runner, clock: clock,
                logger: logger, contactSecret: secret)
        } catch {
            runner.cancel()
            await runner.value
            throw error
        }
    }

    /// Connects once, reads what the server promises, and refuses one that would acknowledge without durability;
    /// writes nothing (`check-config`, and the first step of `open`). A direct connection: the pool retries a refused
    /// login for ever, where this one reports it (a wrong password, an unknown database) at once.
    public static func probe(
        _ location: PostgresLocation, options: PostgresLogOptions = PostgresLogOptions(), logger: Logger
    ) async throws(StoreError) -> PostgresServerFacts {
        let direct = try connectionConfiguration(location, options)
        let facts = try await Self.bounded(.milliseconds(options.operationTimeoutMilliseconds), location) {
            let connection = try await PostgresConnection.connect(configuration: direct, id: 0, logger: logger)
            do {
                let facts = try await PostgresServerFacts.read(connection, logger)
                try await connection.close()
                return facts
            } catch {
                try? await connection.close()
                throw error
            }
        }
        try facts.requireDurability(location)
        return facts
    }

    func useContactSecret(_ secret: [UInt8]) {
        preparerState.withLock { $0 = LeadPreparer(contactSecret: secret) }
    }

    /// Closes every connection. Call once, when done.
    public func close() async {
        runner.cancel()
        await runner.value
    }

    /// The last event's position and hash, or nil for an empty log.
    public func head() async throws(StoreError) -> ChainHead? {
        try await withConnection { connection in try await Self.head(connection, self.logger) }
    }

    /// Takes the write lock (`PostgresSchema.lockHeadQuery`) and returns the head it guards, nil for an empty log.
    static func lockHead(_ connection: PostgresConnection, _ logger: Logger) async throws -> ChainHead? {
        for try await (seq, hash) in try await connection.query(PostgresSchema.lockHeadQuery, logger: logger)
            .decode((Int64, String?).self)
        {
            guard seq > 0 else { return nil }
            guard let hash else { throw StoreError(.corrupt, "the chain head at seq \(seq) has no hash") }
            return ChainHead(seq: seq, hash: hash)
        }
        throw StoreError(.corrupt, "the chain_head row is missing")
    }

    static func head(_ connection: PostgresConnection, _ logger: Logger) async throws -> ChainHead? {
        let rows = try await connection.query("SELECT seq, hash FROM event ORDER BY seq DESC LIMIT 1", logger: logger)
        for try await (seq, hash) in rows.decode((Int64, String).self) {
            return ChainHead(seq: seq, hash: hash)
        }
        return nil
    }

    /// Runs `body` on a pooled connection, waiting at most the operation bound for one, with every failure a
    /// `StoreError`.
    func withConnection<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T)
        async throws(StoreError) -> T
    {
        let client = client
        return try await Self.bounded(.milliseconds(options.operationTimeoutMilliseconds), location) { started in
            try await client.withConnection { connection in
                started()
                return try await body(connection)
            }
        }
    }

    /// Runs `body` in one transaction (BEGIN … COMMIT, rolled back on any error) on a pooled connection.
    func transaction<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T)
        async throws(StoreError) -> T
    {
        let logger = logger
        return try await withConnection { connection in
            try await connection.withTransaction(logger: logger) { connection in try await body(connection) }
        }
    }

    /// `body`, or a `busy` storage error when it has not started its work (called `started`) within `limit`: the
    /// pool would wait for a connection for ever. A body that has started is given a second `limit` to end, each of
    /// its statements bounded by the server's `statement_timeout`, so a slow server never turns a commit into an
    /// unknown outcome. Past that, the client has lost track of its connection (postgres-nio can leave a query
    /// waiting for ever on a connection the server closed mid-query: vapor/postgres-nio#487, reverted in #501; a
    /// COMMIT sent as the server crashed does so here), and the call fails with an `ioError` that says the outcome is
    /// unknown: a 503 the client retries, which its idempotency key or the double-submission window answers with
    /// the original receipt if the commit did land. A body given up on is cancelled and not waited for: one that
    /// ignores cancellation cannot stretch the bound. Any other failure is classified by `StoreError.postgres`.
    static func bounded<T: Sendable>(
        _ limit: Duration, _ location: PostgresLocation,
        _ body: @escaping @Sendable (_ started: @escaping @Sendable () -> Void) async throws -> T
    ) async throws(StoreError) -> T {
        let race = BoundedRace<T>()
        let outcome: Result<T, any Error> = await withCheckedContinuation { continuation in
            race.begin(continuation)
            let work = Task {
                do {
                    race.finish(.success(try await body { race.markStarted() }))
                } catch {
                    race.finish(.failure(error))
                }
            }
            race.setTimer(
                Task {
                    try? await Task.sleep(for: limit)
                    guard !Task.isCancelled else { return }
                    let seconds = limit.components.seconds
                    let waiting = StoreError(
                        .busy, "PostgreSQL did not answer within \(seconds) s", path: location.description)
                    if race.expire(waiting) {
                        work.cancel()
                        return
                    }
                    try? await Task.sleep(for: limit)
                    guard !Task.isCancelled else { return }
                    let lost = StoreError(
                        .ioError, "PostgreSQL did not finish a started call within \(2 * seconds) s; its outcome is unknown",
                        path: location.description)
                    if race.abandon(lost) { work.cancel() }
                })
        }
        switch outcome {
        case .success(let value): return value
        case .failure(let error): throw StoreError.postgres(error, location: location)
        }
    }

    /// `bounded` for a body with nothing to wait for first (a direct connection has its own connect timeout).
    static func bounded<T: Sendable>(
        _ limit: Duration, _ location: PostgresLocation, _ body: @escaping @Sendable () async throws -> T
    ) async throws(StoreError) -> T {
        try await bounded(limit, location) { (_: @escaping @Sendable () -> Void) in try await body() }
    }

    /// The pool's configuration: TLS per `sslmode`, the bounds of `options`, and the session settings every
    /// connection starts with.
    static func configuration(_ location: PostgresLocation, _ options: PostgresLogOptions) throws(StoreError)
        -> PostgresClient.Configuration
    {
        let tls: PostgresClient.Configuration.TLS =
            switch location.sslMode {
            case .disable: .disable
            case .prefer: .prefer(tlsConfiguration(location.sslMode))
            case .require, .verifyCA, .verifyFull: .require(tlsConfiguration(location.sslMode))
            }
        var configuration = PostgresClient.Configuration(
            host: location.host, port: location.port, username: location.user, password: location.password?.value,
            database: location.database, tls: tls)
        configuration.options.maximumConnections = options.poolSize
        configuration.options.connectTimeout = .milliseconds(options.connectTimeoutMilliseconds)
        configuration.options.additionalStartupParameters = sessionSettings(location, options)
        return configuration
    }

    /// The same settings for one connection of its own (the check at open).
    static func connectionConfiguration(_ location: PostgresLocation, _ options: PostgresLogOptions) throws(StoreError)
        -> PostgresConnection.Configuration
    {
        let tls: PostgresConnection.Configuration.TLS
        do {
            switch location.sslMode {
            case .disable: tls = .disable
            case .prefer: tls = .prefer(try NIOSSLContext(configuration: tlsConfiguration(location.sslMode)))
            case .require, .verifyCA, .verifyFull:
                tls = .require(try NIOSSLContext(configuration: tlsConfiguration(location.sslMode)))
            }
        } catch {
            throw StoreError(
                .cannotOpen, "TLS setup for sslmode=\(location.sslMode.rawValue): \(error)", path: location.description)
        }
        var configuration = PostgresConnection.Configuration(
            host: location.host, port: location.port, username: location.user, password: location.password?.value,
            database: location.database, tls: tls)
        configuration.options.connectTimeout = .milliseconds(Int64(options.connectTimeoutMilliseconds))
        configuration.options.additionalStartupParameters = sessionSettings(location, options)
        return configuration
    }

    /// What every connection starts with: commits acknowledged only once flushed (whatever the role's default), the
    /// statement timeout, UTC, and the application name `pg_stat_activity` shows.
    static func sessionSettings(_ location: PostgresLocation, _ options: PostgresLogOptions) -> [(String, String)] {
        [
            ("application_name", location.applicationName),
            ("synchronous_commit", "on"),
            ("statement_timeout", String(options.statementTimeoutMilliseconds)),
            ("TimeZone", "UTC"),
        ]
    }

    /// libpq's meaning of each mode: `prefer` and `require` encrypt without checking the certificate, `verify-ca`
    /// checks it against the system's trust store, `verify-full` also checks the host name.
    static func tlsConfiguration(_ mode: PostgresLocation.SSLMode) -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch mode {
        case .disable, .prefer, .require: configuration.certificateVerification = .none
        case .verifyCA: configuration.certificateVerification = .noHostnameVerification
        case .verifyFull: configuration.certificateVerification = .fullVerification
        }
        return configuration
    }
}
