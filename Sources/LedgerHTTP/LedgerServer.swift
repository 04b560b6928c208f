import Foundation
import Hummingbird
import LedgerCore
import LedgerIngest
import LedgerProjections
import LedgerStore
import Logging
import NIOCore

/// The `serve` process: ingest and health over HTTP, on the log's group committer. It never calls AmoCRM.
public struct LedgerServer: Sendable {
    public struct Configuration: Sendable {
        public var host: String
        public var port: Int
        public var ingestLimits: IngestLimits
        public var groupCommit: GroupCommitter.Limits
        public init(
            host: String, port: Int, ingestLimits: IngestLimits = IngestLimits(),
            groupCommit: GroupCommitter.Limits = GroupCommitter.Limits()
        ) {
            self.host = host
            self.port = port
            self.ingestLimits = ingestLimits
            self.groupCommit = groupCommit
        }
    }

    public let log: EventLog
    public let configuration: Configuration
    public let logger: Logger

    public init(log: EventLog, configuration: Configuration, logger: Logger) {
        self.log = log
        self.configuration = configuration
        self.logger = logger
    }

    /// Serves until SIGTERM or SIGINT, then stops accepting, finishes in-flight requests, commits what is queued and
    /// returns. `onListening` receives the bound port (useful with port 0).
    public func run(onListening: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        let committer = GroupCommitter(log: log, limits: configuration.groupCommit)
        defer { committer.shutdown() }
        let ingest = IngestEndpoint(
            log: log, committer: committer, limits: configuration.ingestLimits, clock: SystemClock(), logger: logger)
        let router = Router()
        router.post("/api/leads") { request, _ in await ingest.handle(request) }
        router.get("/api/health") { _, _ in HealthEndpoint(log: log).liveness() }
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "leadledger"),
            onServerRunning: { channel in onListening(channel.localAddress?.port ?? 0) },
            logger: logger)
        try await app.runService()
    }
}
