import Foundation
import LedgerOutbound

/// The meaning of one page of `GET /api/v4/leads/notes?filter[entity_id][]=…&filter[note_type]=common`: the notes on
/// the given CRM leads, read from AmoCRM's database (not a search index), so a complete list proves a note absent.
public enum NoteListReply: Sendable, Equatable {
    case page(notes: [ListedNote], isLast: Bool)
    case failed(AmoCRMFailure)

    public static func classify(_ exchange: HTTPExchange, limit: Int) -> NoteListReply {
        switch ListExchange(exchange, what: "note list") {
        case .failed(let failure):
            return .failed(failure)
        case .empty:
            return .page(notes: [], isLast: true)
        case .body(let reply):
            guard let body = try? JSONDecoder().decode(NoteListBody.self, from: Data(reply.body)) else {
                return .failed(.malformedReply(status: reply.status, reason: "note list reply is not a list of notes"))
            }
            let wire = body.embedded?.notes ?? []
            let notes = wire.compactMap { note in
                note.entityID.map { ListedNote(id: note.id, entityID: $0, text: note.params?.text ?? "") }
            }
            return .page(notes: notes, isLast: wire.count < limit && body.links?.next == nil)
        }
    }
}

/// A note as a list shows it: enough to tell whether it is the one a ledger lead owes.
public struct ListedNote: Sendable, Equatable {
    public var id: Int64?
    public var entityID: Int64
    public var text: String

    public init(id: Int64?, entityID: Int64, text: String) {
        self.id = id
        self.entityID = entityID
        self.text = text
    }
}

extension NoteListReply: AmoCRMReadReply {
    public var failure: AmoCRMFailure? {
        if case .failed(let failure) = self { failure } else { nil }
    }
}
