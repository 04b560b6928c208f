import Foundation
import LedgerCore
import LedgerOutbound

/// The meaning of `GET /api/v4/account` read for what it says, not only for whether it answers (`ProbeReply`): the
/// account's id and name tell the owner which account the token opens, and the reply's `Date` header is AmoCRM's
/// clock, which reconciliation's `created_at` windows rely on.
public enum AccountReply: Sendable, Equatable {
    case account(AccountSummary)
    case failed(AmoCRMFailure)

    /// A 2xx is the account whatever its body: the token works, and an unreadable body only leaves the name out.
    public static func classify(_ exchange: HTTPExchange) -> AccountReply {
        switch exchange {
        case .transportFailure(let failure):
            return .failed(AmoCRMFailure.readFailure(failure))
        case .response(let reply):
            guard (200...299).contains(reply.status) else { return .failed(AmoCRMFailure.classifyError(reply)) }
            // An over-limit body is empty, so it decodes to nothing like any other unreadable one.
            let body = try? JSONDecoder().decode(AccountBody.self, from: Data(reply.body))
            return .account(
                AccountSummary(
                    id: body?.id, name: body?.name, subdomain: body?.subdomain,
                    serverTime: reply.date.flatMap(RetryAfter.imfFixdate), receivedAt: reply.receivedAt))
        }
    }
}

/// What `check-amocrm` shows of the account, and the two clocks at the moment of the reply.
public struct AccountSummary: Sendable, Equatable {
    public var id: Int64?
    public var name: String?
    public var subdomain: String?
    /// AmoCRM's clock from the `Date` header (whole seconds); nil when it is missing or unreadable.
    public var serverTime: Timestamp?
    /// Our clock when the reply arrived.
    public var receivedAt: Timestamp

    public init(id: Int64?, name: String?, subdomain: String?, serverTime: Timestamp?, receivedAt: Timestamp) {
        self.id = id
        self.name = name
        self.subdomain = subdomain
        self.serverTime = serverTime
        self.receivedAt = receivedAt
    }

    /// AmoCRM's clock minus ours, in milliseconds; positive when AmoCRM is ahead. The header has whole seconds
    /// and the reply took time to arrive, so about a second of it is noise.
    public var clockOffsetMilliseconds: Int64? {
        serverTime.map { $0.millisecondsSinceEpoch - receivedAt.millisecondsSinceEpoch }
    }
}

/// `{"id": 1, "name": "…", "subdomain": "…", …}`, every member read leniently.
private struct AccountBody: Decodable {
    var id: Int64?
    var name: String?
    var subdomain: String?

    enum CodingKeys: String, CodingKey {
        case id, name, subdomain
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = container.lenientInt64(.id)
        name = container.lenientString(.name).map { ReplyText.bounded($0, maxBytes: 200) }
        subdomain = container.lenientString(.subdomain).map { ReplyText.bounded($0, maxBytes: 200) }
    }
}

extension AccountReply: AmoCRMReadReply {
    public var failure: AmoCRMFailure? {
        if case .failed(let failure) = self { failure } else { nil }
    }
}
