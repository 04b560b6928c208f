import Foundation
import LedgerOutbound

/// The meaning of one page of `GET /api/v4/leads?filter[created_at][from]=…&filter[created_at][to]=…&page=N`.
///
/// Lists with filters come from AmoCRM's database, not from the full-text index behind `query`, so a complete list
/// of a time window shows every lead created in it. An empty page is 204 with no body, as for search.
public enum LeadListReply: Sendable, Equatable {
    case page(LeadListPage)
    case failed(AmoCRMFailure)

    public static func classify(_ exchange: HTTPExchange, limit: Int) -> LeadListReply {
        switch ListExchange(exchange, what: "list reply") {
        case .failed(let failure):
            return .failed(failure)
        case .empty:
            return .page(LeadListPage(leads: [], isLast: true))
        case .body(let reply):
            guard let list = try? JSONDecoder().decode(LeadListBody.self, from: Data(reply.body)) else {
                return .failed(.malformedReply(status: reply.status, reason: "list reply is not a lead list"))
            }
            let leads = list.embedded?.leads ?? []
            // A full page, or one that links a next, may be followed by more: only a short page without a next ends.
            let isLast = leads.count < limit && list.links?.next == nil
            return .page(LeadListPage(leads: leads, isLast: isLast))
        }
    }
}

/// The leads of one list page, and whether it was the last.
public struct LeadListPage: Sendable, Equatable {
    public var leads: [ListedLead]
    public var isLast: Bool

    public init(leads: [ListedLead], isLast: Bool) {
        self.leads = leads
        self.isLast = isLast
    }
}
