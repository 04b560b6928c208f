import GRDB
import LedgerCore

/// A read-model row per lead, created by the lead's `LeadReceived` and updated by its later events.
protocol LeadRow: Sendable {
    /// A row for a lead whose `LeadReceived` is `projected`.
    init(
        received projected: ProjectedEvent, leadID: LeadID, receivedAt: Timestamp, origin: LeadOrigin, utmSource: String?,
        utmCampaign: String?, spam: Bool)
    mutating func apply(_ event: ProjectedEvent)
    static func fetch(_ db: Database, leadID: LeadID) throws -> Self?
    func save(_ db: Database) throws
}

/// Folds a batch into per-lead rows: each touched row is read once, updated in memory for all its events in the
/// batch, and written once. That makes a rebuild (large batches) write each lead about once, not once per event.
struct LeadRowFolder<Row: LeadRow> {
    let projector: String

    func apply(_ events: [ProjectedEvent], _ db: Database) throws {
        var rows: [LeadID: Row] = [:]
        rows.reserveCapacity(events.count)
        var touched: [LeadID] = []
        touched.reserveCapacity(events.count)
        for projected in events {
            // A note's steps change no lead row: the note queue folds them (`NoteQueueProjector`).
            guard let leadID = projected.fact.leadID else { continue }
            if case .note = projected.fact { continue }
            if case .received(_, let receivedAt, let origin, let utmSource, let utmCampaign, let spam) = projected.fact {
                // The log admits `LeadReceived` only as version 1 of a new stream (and `verify` re-checks it), so no
                // database lookup is needed here; a repeat inside one batch would still be caught.
                if rows[leadID] != nil {
                    throw ProjectionError(projector: projector, seq: projected.seq, reason: "second LeadReceived for \(leadID)")
                }
                rows[leadID] = Row(
                    received: projected, leadID: leadID, receivedAt: receivedAt, origin: origin, utmSource: utmSource,
                    utmCampaign: utmCampaign, spam: spam)
                touched.append(leadID)
                continue
            }
            if rows[leadID] == nil {
                guard let stored = try Row.fetch(db, leadID: leadID) else {
                    throw ProjectionError(projector: projector, seq: projected.seq, reason: "event for unknown lead \(leadID)")
                }
                rows[leadID] = stored
                touched.append(leadID)
            }
            rows[leadID]?.apply(projected)
        }
        for leadID in touched {
            try rows[leadID]?.save(db)
        }
    }
}

/// A read-model row whose columns do not decode: the table was altered by hand or by a binary of another version.
struct RowDecodingError: Error, CustomStringConvertible {
    var table: String
    var value: String
    var description: String { "\(table): row \(value) does not decode" }
}
