import Foundation
import LedgerOutbound

/// The meaning of `GET /api/v4/leads?query=<ledger lead id>`: is the lead already in AmoCRM?
///
/// AmoCRM's `query` is a fuzzy full-text search, so every returned lead is checked for the ledger id *exactly*, in
/// its name or in any custom-field value; a lead that merely resembles the needle is not a match. AmoCRM answers an
/// empty search with 204 and no body, which is `notFound`, as is a 200 with no leads.
///
/// - Important: AmoCRM's search index may lag a just-created lead (unconfirmed), so `notFound` right after an
///   unknown outcome is weaker evidence than `notFound` a minute later. The retry schedule's first delay covers this.
public enum LeadSearchReply: Sendable, Equatable {
    case notFound
    case found(LeadSearchMatch)
    case failed(AmoCRMFailure)

    public static func classify(_ exchange: HTTPExchange, ledgerLeadID: String) -> LeadSearchReply {
        switch exchange {
        case .transportFailure(let failure):
            return .failed(AmoCRMFailure.readFailure(failure))
        case .response(let reply):
            guard (200...299).contains(reply.status) else { return .failed(AmoCRMFailure.classifyError(reply)) }
            if reply.status == 204 { return .notFound }
            guard !reply.bodyExceededLimit else {
                return .failed(
                    .malformedReply(status: reply.status, reason: "search reply over \(AmoCRMAPI.maxReplyBodyBytes) bytes"))
            }
            if reply.body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return .notFound }
            guard let list = try? JSONDecoder().decode(LeadListBody.self, from: Data(reply.body)) else {
                return .failed(.malformedReply(status: reply.status, reason: "search reply is not a lead list"))
            }
            let matches = (list.embedded?.leads ?? []).filter { $0.mentions(ledgerLeadID) }.sorted { $0.id < $1.id }
            guard let first = matches.first else { return .notFound }
            return .found(LeadSearchMatch(crmLeadID: first.id, crmContactID: first.mainContactID, matchCount: matches.count))
        }
    }
}

/// The CRM lead that carries a ledger id. With several (a duplicate was created), the lowest id, the oldest, is
/// the one to keep, and `matchCount` makes the duplicate visible.
public struct LeadSearchMatch: Sendable, Equatable {
    public var crmLeadID: Int64
    public var crmContactID: Int64?
    public var matchCount: Int

    public init(crmLeadID: Int64, crmContactID: Int64?, matchCount: Int) {
        self.crmLeadID = crmLeadID
        self.crmContactID = crmContactID
        self.matchCount = matchCount
    }
}
