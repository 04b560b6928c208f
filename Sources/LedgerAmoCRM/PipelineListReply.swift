import Foundation
import LedgerOutbound

/// The meaning of `GET /api/v4/leads/pipelines`: the account's pipelines and their stages, so a configured pipeline
/// and stage can be checked before the first lead is refused for them.
public enum PipelineListReply: Sendable, Equatable {
    case pipelines([Pipeline])
    case failed(AmoCRMFailure)

    public static func classify(_ exchange: HTTPExchange) -> PipelineListReply {
        switch ListExchange(exchange, what: "pipeline list") {
        case .failed(let failure):
            return .failed(failure)
        case .empty:
            return .pipelines([])
        case .body(let reply):
            guard let body = try? JSONDecoder().decode(PipelineListBody.self, from: Data(reply.body)),
                let embedded = body.embedded
            else {
                return .failed(.malformedReply(status: reply.status, reason: "pipeline reply is not a list of pipelines"))
            }
            return .pipelines(embedded.pipelines.compactMap(\.value))
        }
    }
}

/// A lead pipeline and its stages, as far as a configuration check needs them.
public struct Pipeline: Decodable, Sendable, Equatable {
    public var id: Int64
    public var name: String
    /// The account's main pipeline: where a lead lands when no pipeline is configured.
    public var isMain: Bool
    public var statuses: [PipelineStatus]

    public init(id: Int64, name: String, isMain: Bool = false, statuses: [PipelineStatus]) {
        self.id = id
        self.name = name
        self.isMain = isMain
        self.statuses = statuses
    }

    enum CodingKeys: String, CodingKey {
        case id, name
        case isMain = "is_main"
        case embedded = "_embedded"
    }

    struct Embedded: Decodable {
        var statuses: [LenientElement<PipelineStatus>]?
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(LenientInt64.self, forKey: .id).value
        name = container.lenientString(.name) ?? ""
        isMain = container.lenientBool(.isMain) ?? false
        let embedded = try? container.decodeIfPresent(Embedded.self, forKey: .embedded)
        statuses = (embedded?.statuses ?? []).compactMap(\.value)
    }
}

/// One stage of a pipeline.
public struct PipelineStatus: Decodable, Sendable, Equatable {
    public var id: Int64
    public var name: String

    /// AmoCRM's fixed ids of the closing stages, the same in every pipeline: a lead created there starts closed.
    public static let wonID: Int64 = 142
    public static let lostID: Int64 = 143

    public init(id: Int64, name: String) {
        self.id = id
        self.name = name
    }

    enum CodingKeys: String, CodingKey {
        case id, name
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(LenientInt64.self, forKey: .id).value
        name = container.lenientString(.name) ?? ""
    }
}

/// `{"_embedded": {"pipelines": [...]}}`; one odd pipeline does not hide the others.
private struct PipelineListBody: Decodable {
    struct Embedded: Decodable {
        var pipelines: [LenientElement<Pipeline>]
    }

    var embedded: Embedded?

    enum CodingKeys: String, CodingKey {
        case embedded = "_embedded"
    }
}

extension PipelineListReply: AmoCRMReadReply {
    public var failure: AmoCRMFailure? {
        if case .failed(let failure) = self { failure } else { nil }
    }
}
