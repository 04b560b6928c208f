import Foundation
import LedgerOutbound

/// The meaning of one `POST /api/v4/leads/notes` exchange, per note sent.
///
/// Like a create, a note is never assumed *not* added unless the reply proves it: a transport failure after the
/// request went out, or a 2xx whose body cannot be read, is an unknown outcome, and the reactor lists the lead's notes
/// (`NoteListReply`) before sending it again, so a manager never reads the same note twice.
public enum NoteCreateReply: Sendable, Equatable {
    /// Every note sent was added; the note ids by request id (the ledger lead id), where the reply named them.
    case added(noteIDs: [String: Int64])
    case unknownOutcome(reason: String, httpStatus: Int?)
    /// Nothing was added: a failure shared by every note of the call.
    case failed(AmoCRMFailure)

    public static func classify(_ exchange: HTTPExchange) -> NoteCreateReply {
        switch exchange {
        case .transportFailure(let failure):
            guard failure.requestMayHaveBeenReceived else { return .failed(.notSent(failure)) }
            return .unknownOutcome(reason: "no reply: \(failure)", httpStatus: nil)
        case .response(let reply) where (200...299).contains(reply.status):
            guard !reply.bodyExceededLimit,
                let body = try? JSONDecoder().decode(NoteListBody.self, from: Data(reply.body))
            else {
                return .unknownOutcome(
                    reason: "HTTP \(reply.status) with a body that is not a list of notes", httpStatus: reply.status)
            }
            var noteIDs: [String: Int64] = [:]
            for note in body.embedded?.notes ?? [] {
                if let requestID = note.requestID, let id = note.id { noteIDs[requestID] = id }
            }
            return .added(noteIDs: noteIDs)
        case .response(let reply):
            return .failed(AmoCRMFailure.classifyError(reply))
        }
    }

    /// What this reply means for the note of `requestID` on `crmLeadID`, as a create outcome, so the reactor's one
    /// retry policy (`AttemptDecision`) decides notes too.
    public func outcome(requestID: String, crmLeadID: Int64) -> LeadCreateOutcome {
        switch self {
        case .added:
            .created(CreatedLead(requestID: requestID, crmLeadID: crmLeadID, crmContactID: nil, merged: false))
        case .unknownOutcome(let reason, let status): .unknownOutcome(reason: reason, httpStatus: status)
        case .failed(let failure): .failed(failure)
        }
    }
}

/// `_embedded.notes` of a notes reply or list page. Every field optional: a reply that lacks one is still read.
struct NoteListBody: Decodable {
    struct Embedded: Decodable {
        var notes: [WireListedNote]?
    }

    struct Links: Decodable {
        struct Link: Decodable { var href: String? }
        var next: Link?
    }

    var embedded: Embedded?
    var links: Links?

    enum CodingKeys: String, CodingKey {
        case embedded = "_embedded"
        case links = "_links"
    }
}

struct WireListedNote: Decodable {
    struct Params: Decodable { var text: String? }

    var id: Int64?
    var entityID: Int64?
    var noteType: String?
    var requestID: String?
    var params: Params?

    enum CodingKeys: String, CodingKey {
        case id
        case entityID = "entity_id"
        case noteType = "note_type"
        case requestID = "request_id"
        case params
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try? container.decodeIfPresent(Int64.self, forKey: .id)
        entityID = try? container.decodeIfPresent(Int64.self, forKey: .entityID)
        noteType = try? container.decodeIfPresent(String.self, forKey: .noteType)
        // AmoCRM echoes request_id as it was sent; a number is read as its text.
        requestID =
            (try? container.decodeIfPresent(String.self, forKey: .requestID))
            ?? (try? container.decodeIfPresent(Int64.self, forKey: .requestID)).flatMap { $0.map(String.init) }
        params = try? container.decodeIfPresent(Params.self, forKey: .params)
    }
}
