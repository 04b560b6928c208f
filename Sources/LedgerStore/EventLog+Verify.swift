import GRDB
import LedgerCore

/// The outcome of checking the whole log. `problem` is the first thing found wrong, or nil when the log is intact.
public struct VerificationReport: Sendable, Equatable {
    public var eventsChecked: Int64
    public var head: ChainHead?
    public var problem: VerificationProblem?

    public var isIntact: Bool { problem == nil }

    public init(eventsChecked: Int64, head: ChainHead?, problem: VerificationProblem?) {
        self.eventsChecked = eventsChecked
        self.head = head
        self.problem = problem
    }
}

/// What is wrong, and where. `seq` is nil for problems of the file rather than of one event (a missing trigger).
public struct VerificationProblem: Sendable, Equatable, CustomStringConvertible {
    public var seq: Int64?
    public var reason: String

    public init(seq: Int64?, reason: String) {
        self.seq = seq
        self.reason = reason
    }

    public var description: String {
        if let seq { return "seq \(seq): \(reason)" }
        return reason
    }
}

extension EventLog {
    /// Recomputes the whole chain from the genesis hash and checks, for every event: `seq` follows the previous one with
    /// no gap, `prev_hash` is the previous `hash`, `hash` matches the canonical encoding, the stream version follows
    /// the stream's previous one, and the body decodes strictly into its type. Also checks the append-only triggers
    /// are still installed. Stops at the first problem.
    ///
    /// Reads in pages of `maxPageSize` inside one read transaction, so a concurrent writer neither blocks it nor
    /// changes what it sees. Memory: one integer per stream (lead) seen.
    public func verify(progress: (@Sendable (Int64) -> Void)? = nil) throws(StoreError) -> VerificationReport {
        let pageSize = options.maxPageSize
        return try read { db in
            // The chain is walked even when a trigger is gone: the auditor needs the first altered seq, not only
            // the sign that altering was possible.
            let missingTrigger = try Self.missingTriggers(db)
            var checker = ChainChecker()
            var afterSeq: Int64 = 0
            while true {
                let page = try RecordedEvent.fetchAll(db, afterSeq: afterSeq, limit: pageSize)
                if let report = checker.check(page: page, missingTrigger: missingTrigger) { return report }
                guard let last = page.last else { break }
                afterSeq = last.seq
                progress?(checker.checked)
            }
            return checker.finished(missingTrigger: missingTrigger)
        }
    }

    private static func missingTriggers(_ db: Database) throws -> String? {
        for name in LogSchema.appendOnlyTriggers {
            let sql = try String.fetchOne(
                db, sql: "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", arguments: [name])
            guard let sql, sql.contains("RAISE(ABORT") else {
                return "append-only trigger \(name) is missing or altered: the log may have been modified"
            }
        }
        return nil
    }
}

/// The per-event rules of `verify`, separate so they can be tested on hand-made sequences, and shared by every
/// backend.
public struct ChainChecker: Sendable {
    public private(set) var checked: Int64 = 0
    public private(set) var head: ChainHead?
    private var streamVersions: [String: Int64] = [:]

    public init() {}

    /// Checks one page of the walk: the report to return at its first problem (with `missingTrigger`, when the
    /// append-only triggers are also gone), or nil to go on. Every backend's `verify` walks the same way.
    public mutating func check(page: [RecordedEvent], missingTrigger: String?) -> VerificationReport? {
        for event in page {
            if var problem = check(event) {
                if let missingTrigger { problem.reason += "; also, \(missingTrigger)" }
                return VerificationReport(eventsChecked: checked, head: head, problem: problem)
            }
        }
        return nil
    }

    /// The report once every event chained: intact, unless the triggers are missing.
    public func finished(missingTrigger: String?) -> VerificationReport {
        VerificationReport(
            eventsChecked: checked, head: head, problem: missingTrigger.map { VerificationProblem(seq: nil, reason: $0) })
    }

    public mutating func check(_ event: RecordedEvent) -> VerificationProblem? {
        let expectedSeq = (head?.seq ?? 0) + 1
        if event.seq != expectedSeq {
            return VerificationProblem(
                seq: event.seq, reason: "expected seq \(expectedSeq): \(event.seq - expectedSeq) event(s) missing")
        }
        let expectedPrev = head?.hash ?? EventHasher.genesis
        if event.prevHash != expectedPrev {
            return VerificationProblem(
                seq: event.seq, reason: "prev_hash \(event.prevHash) does not match the previous hash \(expectedPrev)")
        }
        let computed = event.computedHash()
        if event.hash != computed {
            return VerificationProblem(
                seq: event.seq, reason: "hash mismatch: stored \(event.hash), computed \(computed) (the event was altered)")
        }
        let expectedVersion = (streamVersions[event.stream] ?? 0) + 1
        if event.version != expectedVersion {
            return VerificationProblem(
                seq: event.seq, reason: "stream \(event.stream) version \(event.version), expected \(expectedVersion)")
        }
        let decoded: LedgerEvent
        do {
            decoded = try event.decode()
        } catch {
            return VerificationProblem(seq: event.seq, reason: error.description)
        }
        if decoded.stream != event.stream {
            return VerificationProblem(
                seq: event.seq, reason: "body belongs to stream \(decoded.stream), stored in \(event.stream)")
        }
        if case .leadReceived = decoded, event.version != 1 {
            return VerificationProblem(seq: event.seq, reason: "LeadReceived is not the first event of its stream")
        }
        if decoded.leadID != nil, event.version > 1, streamVersions[event.stream] == nil {
            return VerificationProblem(seq: event.seq, reason: "lead event before the lead's LeadReceived")
        }
        streamVersions[event.stream] = event.version
        head = ChainHead(seq: event.seq, hash: event.hash)
        checked += 1
        return nil
    }
}
