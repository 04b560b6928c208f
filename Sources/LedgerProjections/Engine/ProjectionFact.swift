import GRDB
import LedgerCore

/// The part of an event that read models fold: for each type, only the fields some projector uses.
///
/// Why not the full `LedgerEvent`: decoding every body with `JSONDecoder` cost more than everything else in a rebuild
/// together (about 10 µs per `LeadReceived`, mostly spent skipping the sealed personal payload). SQLite's C JSON
/// functions extract these few fields in the same query that reads the page. `verify` is what decodes every body
/// strictly; projections read what it has judged.
public enum ProjectionFact: Sendable, Equatable {
    case received(
        leadID: LeadID, receivedAt: Timestamp, origin: LeadOrigin, utmSource: String?, utmCampaign: String?, spam: Bool)
    case attempted(leadID: LeadID, attempt: Int, attemptID: String)
    case failed(
        leadID: LeadID, errorClass: SyncErrorClass, httpStatus: Int?, message: String, retryable: Bool,
        nextAttemptAt: Timestamp?)
    case succeeded(leadID: LeadID, crmLeadID: Int64, crmContactID: Int64?)
    case alertRaised(severity: AlertSeverity)
    case erased(leadID: LeadID)
    case requeued(leadID: LeadID)
    /// A step of a delivered lead's note: only the note queue folds these.
    case note(leadID: LeadID, NoteFact)
    /// A fact no read model folds yet: a process start or stop (health reads restarts from the log directly), an
    /// alert's resolution or delivery (health reads those from the log too).
    case unprojected

    /// The lead this fact belongs to, if any.
    public var leadID: LeadID? {
        switch self {
        case .received(let leadID, _, _, _, _, _), .attempted(let leadID, _, _), .failed(let leadID, _, _, _, _, _),
            .succeeded(let leadID, _, _), .erased(let leadID), .requeued(let leadID), .note(let leadID, _):
            leadID
        case .alertRaised, .unprojected:
            nil
        }
    }
}

/// What a note event says, for the note queue.
public enum NoteFact: Sendable, Equatable {
    case attempted(attempt: Int, attemptID: String, crmLeadID: Int64)
    case failed(errorClass: SyncErrorClass, message: String, retryable: Bool, nextAttemptAt: Timestamp?)
    case added

    /// The note's state after this fact.
    public var state: NoteState {
        switch self {
        case .attempted: .inFlight
        case .failed(_, _, let retryable, let nextAttemptAt): retryable && nextAttemptAt != nil ? .pending : .dead
        case .added: .added
        }
    }
}

/// A fact with its position and time.
public struct ProjectedEvent: Sendable {
    public var seq: Int64
    public var recordedAt: Timestamp
    public var fact: ProjectionFact
}

extension ProjectedEvent {
    /// One page of facts after `afterSeq`, read and extracted in one statement. Each `CASE` extracts a field only
    /// for the types that carry it. Schema version 1 is the only one so far; any other stops the projection.
    static func fetchPage(_ db: Database, afterSeq: Int64, limit: Int) throws -> [ProjectedEvent] {
        let statement = try db.cachedStatement(
            sql: """
                SELECT seq, stream, type, schema_version, recorded_at,
                    CASE type WHEN 'LeadReceived' THEN json_extract(data, '$.received_at') END,
                    CASE type WHEN 'LeadReceived' THEN json_extract(data, '$.origin') END,
                    CASE type WHEN 'LeadReceived' THEN json_extract(data, '$.utm.source') END,
                    CASE type WHEN 'LeadReceived' THEN json_extract(data, '$.utm.campaign') END,
                    CASE WHEN type IN ('SyncAttempted', 'SyncFailed', 'SyncSucceeded', 'NoteAttempted') THEN json_extract(data, '$.attempt') END,
                    CASE WHEN type IN ('SyncAttempted', 'SyncFailed', 'SyncSucceeded', 'NoteAttempted') THEN json_extract(data, '$.attempt_id') END,
                    CASE WHEN type IN ('SyncFailed', 'NoteFailed') THEN json_extract(data, '$.error_class') END,
                    CASE type WHEN 'SyncFailed' THEN json_extract(data, '$.http_status') END,
                    CASE WHEN type IN ('SyncFailed', 'NoteFailed') THEN json_extract(data, '$.message') END,
                    CASE WHEN type IN ('SyncFailed', 'NoteFailed') THEN json_extract(data, '$.retryable') END,
                    CASE WHEN type IN ('SyncFailed', 'NoteFailed') THEN json_extract(data, '$.next_attempt_at') END,
                    CASE WHEN type IN ('SyncSucceeded', 'NoteAttempted') THEN json_extract(data, '$.crm_lead_id') END,
                    CASE type WHEN 'SyncSucceeded' THEN json_extract(data, '$.crm_contact_id') END,
                    CASE type WHEN 'AlertRaised' THEN json_extract(data, '$.severity') END,
                    CASE type WHEN 'LeadReceived' THEN json_extract(data, '$.spam') IS NOT NULL END
                FROM event WHERE seq > ? ORDER BY seq LIMIT ?
                """)
        var page: [ProjectedEvent] = []
        page.reserveCapacity(min(limit, 100_000))
        let cursor = try Row.fetchCursor(statement, arguments: [afterSeq, limit])
        while let row = try cursor.next() {
            let seq: Int64 = row[0]
            page.append(ProjectedEvent(seq: seq, recordedAt: Timestamp(millisecondsSinceEpoch: row[4]), fact: try fact(row, seq)))
        }
        return page
    }

    private static func fact(_ row: Row, _ seq: Int64) throws -> ProjectionFact {
        let type: String = row[2]
        let schemaVersion: Int = row[3]
        guard let eventType = EventType(rawValue: type), schemaVersion == 1 else {
            throw ProjectionError(
                projector: "runner", seq: seq, reason: "unknown event type or version: \(type) v\(schemaVersion)")
        }
        func missing(_ field: String) -> ProjectionError {
            ProjectionError(projector: "runner", seq: seq, reason: "\(type) without a valid \(field)")
        }
        if eventType == .alertRaised {
            guard let severity = (row[18] as String?).flatMap(AlertSeverity.init(rawValue:)) else { throw missing("severity") }
            return .alertRaised(severity: severity)
        }
        guard eventType.belongsToLead else { return .unprojected }
        guard let leadID = LeadID(row[1] as String) else { throw missing("stream (lead id)") }
        switch eventType {
        case .leadReceived:
            guard let receivedAt = row[5] as Int64? else { throw missing("received_at") }
            guard let origin = (row[6] as String?).flatMap(LeadOrigin.init(rawValue:)) else { throw missing("origin") }
            return .received(
                leadID: leadID, receivedAt: Timestamp(millisecondsSinceEpoch: receivedAt), origin: origin, utmSource: row[7],
                utmCampaign: row[8], spam: row[19] as Bool? ?? false)
        case .syncAttempted:
            guard let attempt = row[9] as Int?, let attemptID = row[10] as String? else { throw missing("attempt") }
            return .attempted(leadID: leadID, attempt: attempt, attemptID: attemptID)
        case .syncFailed:
            guard let errorClass = (row[11] as String?).flatMap(SyncErrorClass.init(rawValue:)) else {
                throw missing("error_class")
            }
            guard let message = row[13] as String?, let retryable = row[14] as Bool? else { throw missing("message/retryable") }
            return .failed(
                leadID: leadID, errorClass: errorClass, httpStatus: row[12], message: message, retryable: retryable,
                nextAttemptAt: (row[15] as Int64?).map(Timestamp.init(millisecondsSinceEpoch:)))
        case .syncSucceeded:
            guard let crmLeadID = row[16] as Int64? else { throw missing("crm_lead_id") }
            return .succeeded(leadID: leadID, crmLeadID: crmLeadID, crmContactID: row[17])
        case .leadErased:
            return .erased(leadID: leadID)
        case .leadRequeued:
            return .requeued(leadID: leadID)
        case .noteAttempted:
            guard let attempt = row[9] as Int?, let attemptID = row[10] as String?, let crmLeadID = row[16] as Int64? else {
                throw missing("attempt/crm_lead_id")
            }
            return .note(leadID: leadID, .attempted(attempt: attempt, attemptID: attemptID, crmLeadID: crmLeadID))
        case .noteFailed:
            guard let errorClass = (row[11] as String?).flatMap(SyncErrorClass.init(rawValue:)),
                let message = row[13] as String?, let retryable = row[14] as Bool?
            else { throw missing("error_class/message/retryable") }
            return .note(
                leadID: leadID,
                .failed(
                    errorClass: errorClass, message: message, retryable: retryable,
                    nextAttemptAt: (row[15] as Int64?).map(Timestamp.init(millisecondsSinceEpoch:))))
        case .noteAdded:
            return .note(leadID: leadID, .added)
        case .alertRaised, .processStarted, .processStopped, .alertResolved, .alertDelivered, .alertUndeliverable,
            .reportProduced:
            throw missing("type")
        }
    }
}
