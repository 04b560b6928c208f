import Foundation
import LedgerCore
import LedgerHTTP
import LedgerProjections
import LedgerStore
import Logging
import Synchronization

/// `serve` with everything but storage: the same router, parsing, validation and JSON answers, with a sink that
/// stores nothing. Its requests/s is the ceiling durable ingest is measured against.
struct CeilingServeMode {
    let path: String
    let port: Int

    func run() async throws {
        let log = try EventLog.open(path: path)
        var logger = Logger(label: "leadledger.bench.ceiling")
        logger.logLevel = .warning
        var configuration = LedgerServer.Configuration(host: "127.0.0.1", port: port)
        // wrk is one client address, as in the durable run it is compared with (tools/bench/http_ingest.sh).
        configuration.rateLimitPerMinute = 0
        configuration.frontDoor.maxConnectionsPerClient = 100_000
        let server = LedgerServer(
            log: log, runner: try ProjectionRunner(log: log), localState: path, configuration: configuration,
            logger: logger, benchmarkSink: DiscardingSink())
        try await server.run { port in
            FileHandle.standardOutput.write(Data("leadledger-bench ceiling: listening on http://127.0.0.1:\(port)\n".utf8))
        }
    }
}

/// Answers every lead with a made-up receipt at once. Never used outside the benchmark.
final class DiscardingSink: LeadSink {
    private let seq = Atomic<Int64>(0)

    func receive(_ lead: NewLead) async throws -> LeadReceipt {
        let next = seq.add(1, ordering: .relaxed).newValue
        return LeadReceipt(leadID: lead.leadID, seq: next, hash: String(repeating: "0", count: 64))
    }
}
