import LedgerCore

/// Copies one log into another store, event for event and hash for hash, with the leads' key rows and the
/// contact-fingerprint key: `leadledger migrate --to` (SQLite into PostgreSQL) and a PostgreSQL `backup` (into a new
/// SQLite file) are both this copy.
///
/// The source is verified first; the target must be empty or hold a prefix of the source (the same event at its
/// head's seq, the same fingerprint key), so an interrupted run resumes where it stopped and a second run of a
/// finished one copies nothing. Each batch is one transaction at the target. The target is verified at the end.
/// The source may keep taking leads meanwhile: the copy reaches the head it found when each batch was read (or
/// `through`, when given), and a later run copies the rest.
public enum LogCopy {
    /// Events per transaction at the target unless the caller says otherwise (`migrate --batch`, a backup): large
    /// enough that a million events take a thousand commits, small enough that one batch's key rows stay a few MiB.
    public static let defaultBatchSize = 1000

    public struct Report: Sendable, Equatable {
        /// Events the target already held when the run started.
        public var alreadyCopied: Int64
        /// Events this run copied.
        public var copied: Int64
        /// The target's head at the end, verified.
        public var head: ChainHead?
    }

    /// - Parameters:
    ///   - batchSize: events per transaction at the target.
    ///   - through: copy no event past this seq (a backup stops at the head it found when it started).
    ///   - maxBatches: stop after this many batches (nil: until the source's head); an interrupted run, in tests.
    public static func copy(
        from source: any EventStore, to target: any EventStore, batchSize: Int = defaultBatchSize, through: Int64? = nil,
        maxBatches: Int? = nil, progress: (@Sendable (Int64) -> Void)? = nil
    ) async throws(StoreError) -> Report {
        let checked = try await source.verify(progress: nil)
        if let problem = checked.problem {
            throw StoreError(
                .corrupt, "the source log does not verify, nothing copied: \(problem)", path: source.displayLocation)
        }
        let secret = try await source.contactFingerprintSecret()
        let start = try await target.head()
        if let start {
            let atHead = try await source.events(EventQuery(afterSeq: start.seq - 1, limit: 1)).first
            guard atHead?.seq == start.seq, atHead?.hash == start.hash else {
                throw StoreError(
                    .versionConflict,
                    "the target holds seq \(start.seq) with a hash the source does not have there: it is not a copy of "
                        + "this log; use an empty database", path: target.displayLocation)
            }
            guard try await target.contactFingerprintSecret() == secret else {
                throw StoreError(
                    .versionConflict, "the target's fingerprint key differs from the source's: not a copy of this log",
                    path: target.displayLocation)
            }
        }
        var cursor = start?.seq ?? 0
        var batches = 0
        let size = max(1, min(batchSize, target.maxEventsPerAppend, source.maxPageSize))
        while maxBatches.map({ batches < $0 }) ?? true {
            let limit = through.map { Int(max(0, min(Int64(size), $0 - cursor))) } ?? size
            guard limit > 0 else { break }
            let events = try await source.events(EventQuery(afterSeq: cursor, limit: limit))
            guard let last = events.last else { break }
            let leads = events.filter { $0.type == EventType.leadReceived.rawValue }.map(\.stream)
            // An erasure the source recorded after an earlier run copied the lead's key: the key goes here too. The
            // source's `lead_key` is the truth (a lead whose key it still has keeps it).
            let erasures = events.filter { $0.type == EventType.leadErased.rawValue }.map(\.stream)
            let kept = Set(try await source.leadKeys(erasures).map(\.leadID))
            try await target.importVerbatim(
                events, leadKeys: try await source.leadKeys(leads), erasedKeys: erasures.filter { !kept.contains($0) },
                secret: secret)
            cursor = last.seq
            batches += 1
            progress?(cursor)
        }
        let report = try await target.verify(progress: nil)
        if let problem = report.problem {
            throw StoreError(.corrupt, "the copy does not verify: \(problem)", path: target.displayLocation)
        }
        return Report(alreadyCopied: start?.seq ?? 0, copied: cursor - (start?.seq ?? 0), head: report.head)
    }
}
