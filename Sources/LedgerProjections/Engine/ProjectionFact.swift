import LedgerCore
import LedgerStore

/// The part of an event that read models fold: for each type, only the fields some projector uses, made from the
/// `EventFacts` the store extracted (see there why not the full `LedgerEvent`).
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
    /// The fact of an event the store extracted. Schema version 1 is the only one so far; any other, or a field a
    /// projector needs that is missing, stops the projection.
    init(_ facts: EventFacts) throws {
        self.init(seq: facts.seq, recordedAt: facts.recordedAt, fact: try Self.fact(facts))
    }

    private static func fact(_ facts: EventFacts) throws -> ProjectionFact {
        let seq = facts.seq
        let type = facts.type
        guard let eventType = EventType(rawValue: type), facts.schemaVersion == 1 else {
            throw ProjectionError(
                projector: "runner", seq: seq, reason: "unknown event type or version: \(type) v\(facts.schemaVersion)")
        }
        func missing(_ field: String) -> ProjectionError {
            ProjectionError(projector: "runner", seq: seq, reason: "\(type) without a valid \(field)")
        }
        if eventType == .alertRaised {
            guard let severity = facts.severity.flatMap(AlertSeverity.init(rawValue:)) else { throw missing("severity") }
            return .alertRaised(severity: severity)
        }
        guard eventType.belongsToLead else { return .unprojected }
        guard let leadID = LeadID(facts.stream) else { throw missing("stream (lead id)") }
        switch eventType {
        case .leadReceived:
            guard let receivedAt = facts.receivedAt else { throw missing("received_at") }
            guard let origin = facts.origin.flatMap(LeadOrigin.init(rawValue:)) else { throw missing("origin") }
            return .received(
                leadID: leadID, receivedAt: Timestamp(millisecondsSinceEpoch: receivedAt), origin: origin,
                utmSource: facts.utmSource, utmCampaign: facts.utmCampaign, spam: facts.spam)
        case .syncAttempted:
            guard let attempt = facts.attempt, let attemptID = facts.attemptID else { throw missing("attempt") }
            return .attempted(leadID: leadID, attempt: attempt, attemptID: attemptID)
        case .syncFailed:
            guard let errorClass = facts.errorClass.flatMap(SyncErrorClass.init(rawValue:)) else {
                throw missing("error_class")
            }
            guard let message = facts.message, let retryable = facts.retryable else { throw missing("message/retryable") }
            return .failed(
                leadID: leadID, errorClass: errorClass, httpStatus: facts.httpStatus, message: message,
                retryable: retryable, nextAttemptAt: facts.nextAttemptAt.map(Timestamp.init(millisecondsSinceEpoch:)))
        case .syncSucceeded:
            guard let crmLeadID = facts.crmLeadID else { throw missing("crm_lead_id") }
            return .succeeded(leadID: leadID, crmLeadID: crmLeadID, crmContactID: facts.crmContactID)
        case .leadErased:
            return .erased(leadID: leadID)
        case .leadRequeued:
            return .requeued(leadID: leadID)
        case .noteAttempted:
            guard let attempt = facts.attempt, let attemptID = facts.attemptID, let crmLeadID = facts.crmLeadID else {
                throw missing("attempt/crm_lead_id")
            }
            return .note(leadID: leadID, .attempted(attempt: attempt, attemptID: attemptID, crmLeadID: crmLeadID))
        case .noteFailed:
            guard let errorClass = facts.errorClass.flatMap(SyncErrorClass.init(rawValue:)),
                let message = facts.message, let retryable = facts.retryable
            else { throw missing("error_class/message/retryable") }
            return .note(
                leadID: leadID,
                .failed(
                    errorClass: errorClass, message: message, retryable: retryable,
                    nextAttemptAt: facts.nextAttemptAt.map(Timestamp.init(millisecondsSinceEpoch:))))
        case .noteAdded:
            return .note(leadID: leadID, .added)
        case .alertRaised, .processStarted, .processStopped, .alertResolved, .alertDelivered, .alertUndeliverable,
            .reportProduced:
            throw missing("type")
        }
    }
}
