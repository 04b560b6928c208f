import GRDB
import LedgerCore

/// Folds events, in `seq` order, into read-model tables in the read-model file (`ReadModelStore`), never the log's.
///
/// Read models are disposable: `dropTables` + replay from seq 1 must give exactly what incremental folding gave.
/// A projector never sees an event twice: the runner stores its checkpoint in the same transaction as its output.
public protocol Projector: Sendable {
    /// Key in the checkpoint table.
    var name: String { get }
    /// Bump when the tables or the fold change; a stored projection of another version is dropped and rebuilt.
    var version: Int { get }
    func createTables(_ db: Database) throws
    func dropTables(_ db: Database) throws
    /// Applies a batch of consecutive events. Called inside the runner's write transaction on the read-model file.
    func apply(_ events: [ProjectedEvent], _ db: Database) throws
}

/// A projector found the log not as it must be: a gap in `seq`, an undecodable event, an event for an unknown lead.
/// The runner stops rather than skip, because a skipped event is a lead silently lost from the queue.
public struct ProjectionError: Error, CustomStringConvertible {
    public var projector: String
    public var seq: Int64
    public var reason: String

    public var description: String { "projection \(projector) stopped at seq \(seq): \(reason)" }
}
