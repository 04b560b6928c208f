import LedgerCore
import LedgerStore
import PostgresNIO

extension PostgresEventLog {
    /// The same check as the SQLite log's `verify` (`ChainChecker`: seq without gaps, `prev_hash` links, each hash
    /// recomputed, stream versions, strict decoding), plus the append-only triggers (each present, enabled, and
    /// still calling the refusing function) and the chain-head row (at the last event). Stops at the first problem.
    ///
    /// Reads in pages of `maxPageSize` inside one REPEATABLE READ transaction: one snapshot, however long the walk,
    /// and concurrent appends neither block it nor change what it sees.
    public func verify(progress: (@Sendable (Int64) -> Void)? = nil) async throws(StoreError) -> VerificationReport {
        let pageSize = Int64(options.maxPageSize)
        let logger = logger
        // The walk may take minutes on a large log, longer than the per-operation bound: that bound applies to a
        // first call, which fails fast if the server cannot be reached; then each page has the statement timeout.
        _ = try await head()
        do {
            return try await client.withConnection { connection in
                try await connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", logger: logger)
                do {
                    let report = try await Self.walk(connection, pageSize: pageSize, logger: logger, progress: progress)
                    try await connection.execute("COMMIT", logger: logger)
                    return report
                } catch {
                    _ = try? await connection.query("ROLLBACK", logger: logger)
                    throw error
                }
            }
        } catch {
            throw StoreError.postgres(error, location: location)
        }
    }

    private static func walk(
        _ connection: PostgresConnection, pageSize: Int64, logger: Logger, progress: (@Sendable (Int64) -> Void)?
    ) async throws -> VerificationReport {
        let missingTrigger = try await missingTriggers(connection, logger)
        var checker = ChainChecker()
        var afterSeq: Int64 = 0
        while true {
            let page = try await decode(
                try await connection.query(
                    "SELECT \(unescaped: columns) FROM event WHERE seq > \(afterSeq) ORDER BY seq LIMIT \(pageSize)",
                    logger: logger))
            if let report = checker.check(page: page, missingTrigger: missingTrigger) { return report }
            guard let last = page.last else { break }
            afterSeq = last.seq
            progress?(checker.checked)
        }
        var report = checker.finished(missingTrigger: missingTrigger)
        if report.isIntact {
            let recorded = report.head
            var marked: (seq: Int64, hash: String?)?
            for try await row in try await connection.query("SELECT seq, hash FROM chain_head", logger: logger)
                .decode((Int64, String?).self)
            {
                marked = row
            }
            if marked?.seq != (recorded?.seq ?? 0) || marked?.hash != recorded?.hash {
                let found = marked.map { "seq \($0.seq)" } ?? "no row"
                report.problem = VerificationProblem(
                    seq: nil,
                    reason: "chain_head holds \(found), the log ends at seq \(recorded?.seq ?? 0): a write bypassed the "
                        + "ledger, and the next one would be refused")
            }
        }
        return report
    }

    private static func missingTriggers(_ connection: PostgresConnection, _ logger: Logger) async throws -> String? {
        var found: [String: (enabled: Bool, function: String)] = [:]
        let rows = try await connection.query(
            """
            SELECT t.tgname::text, t.tgenabled <> 'D', p.proname::text
            FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
            WHERE t.tgrelid = 'event'::regclass AND NOT t.tgisinternal
            """, logger: logger)
        for try await (name, enabled, function) in rows.decode((String, Bool, String).self) {
            found[name] = (enabled, function)
        }
        var body = ""
        for try await definition in try await connection.query(
            "SELECT pg_get_functiondef('event_refuse_change'::regproc)", logger: logger
        ).decode(String.self) {
            body = definition
        }
        for name in PostgresSchema.appendOnlyTriggers {
            guard let trigger = found[name], trigger.enabled, trigger.function == "event_refuse_change",
                body.contains("RAISE EXCEPTION")
            else {
                return "append-only trigger \(name) is missing, disabled or altered: the log may have been modified"
            }
        }
        return nil
    }
}
