import Foundation
import LedgerOutbound

/// The meaning of one `POST /api/v4/leads/complex` exchange for the batch that was sent.
///
/// The rule throughout: a lead is never assumed *not* created unless the reply proves it. A 2xx whose body cannot be
/// read, or a transport failure after the request went out, is `unknownOutcome`, and the reactor searches for the lead
/// before resending. A 2xx that lists some leads but not others is `partiallyCreated`: the listed ones are facts,
/// the missing ones are unknown (not failed), because AmoCRM may well have created them and lost only the echo.
public enum ComplexCreateReply: Sendable, Equatable {
    /// Every lead sent is accounted for. `merged` leads point at an existing CRM lead; they are successes too.
    case created([CreatedLead])
    /// A 2xx that accounts for some leads only; `unaccounted` lists the request ids it did not name.
    case partiallyCreated(created: [CreatedLead], unaccounted: [String])
    /// 400/422 naming leads at fault (`validation-errors` by `request_id`), with a reason for each. Nothing was
    /// created; leads not named are innocent and should be resent alone. Errors at a configured id are never this:
    /// they are `.failed(.accountRefused)`, because every lead would get them.
    case batchRejected(status: Int, rejected: [String: String], message: String)
    /// The request may have created some or all leads: search before resending.
    case unknownOutcome(reason: String, httpStatus: Int?)
    /// A failure shared by every lead of the batch. Never `.noReply` or `.malformedReply` (those are `unknownOutcome`).
    case failed(AmoCRMFailure)

    /// Classifies `exchange`, the reply to `request`.
    public static func classify(_ exchange: HTTPExchange, request: ComplexLeadRequest) -> ComplexCreateReply {
        classify(
            exchange, requestIDs: request.requestIDs, customFieldIDs: request.customFieldIDs,
            contactFieldCodes: request.contactFieldCodes)
    }

    /// Classifies `exchange`, the reply to a request carrying `requestIDs` (from `ComplexLeadRequest.requestIDs`);
    /// the field ids and codes name the configured field a validation error points at.
    public static func classify(
        _ exchange: HTTPExchange, requestIDs: [String], customFieldIDs: [String: [Int64?]] = [:],
        contactFieldCodes: [String: [String?]] = [:]
    ) -> ComplexCreateReply {
        switch exchange {
        case .transportFailure(let failure):
            guard failure.requestMayHaveBeenReceived else { return .failed(.notSent(failure)) }
            return .unknownOutcome(reason: "no reply: \(failure)", httpStatus: nil)
        case .response(let reply):
            switch reply.status {
            case 200...299: return classifySuccess(reply, requestIDs: requestIDs)
            case 400, 422:
                return classifyRejection(
                    reply, requestIDs: requestIDs, customFieldIDs: customFieldIDs, contactFieldCodes: contactFieldCodes)
            default: return .failed(AmoCRMFailure.classifyError(reply))
            }
        }
    }

    private static func classifySuccess(_ reply: HTTPReply, requestIDs: [String]) -> ComplexCreateReply {
        let status = reply.status
        guard !reply.bodyExceededLimit else {
            return .unknownOutcome(
                reason: "HTTP \(status) with a body over \(AmoCRMAPI.maxReplyBodyBytes) bytes", httpStatus: status)
        }
        guard !reply.body.isEmpty else { return .unknownOutcome(reason: "HTTP \(status) with an empty body", httpStatus: status) }
        guard let items = ComplexReplyItem.decodeList(reply.body) else {
            return .unknownOutcome(reason: "HTTP \(status) with a body that is not a list of created leads", httpStatus: status)
        }
        let sent = Set(requestIDs)
        var created: [String: CreatedLead] = [:]
        for item in items {
            guard let crmLeadID = item.id, crmLeadID > 0 else { continue }
            var names = item.requestIDs
            // One lead sent, one lead back without a request id: there is nobody else it can be.
            if names.isEmpty, requestIDs.count == 1, items.count == 1 { names = requestIDs }
            for name in names where sent.contains(name) && created[name] == nil {
                created[name] = CreatedLead(
                    requestID: name, crmLeadID: crmLeadID, crmContactID: item.contactID.flatMap { $0 > 0 ? $0 : nil },
                    merged: item.merged)
            }
        }
        let found = requestIDs.compactMap { created[$0] }
        let missing = requestIDs.filter { created[$0] == nil }
        if missing.isEmpty { return .created(found) }
        if found.isEmpty {
            return .unknownOutcome(reason: "HTTP \(status) naming none of the \(requestIDs.count) leads sent", httpStatus: status)
        }
        return .partiallyCreated(created: found, unaccounted: missing)
    }

    /// A refusal naming leads is theirs, unless an error points at a configured id; a refusal naming none is the
    /// account's (rights, subscription): resending each lead alone would only dead-letter them all.
    private static func classifyRejection(
        _ reply: HTTPReply, requestIDs: [String], customFieldIDs: [String: [Int64?]], contactFieldCodes: [String: [String?]]
    ) -> ComplexCreateReply {
        let failure = AmoCRMFailure.classifyError(reply)
        let opaque = ComplexCreateReply.failed(
            .accountRefused(status: reply.status, problem: .opaqueRefusal(message: failure.message)))
        guard let problem = ProblemDetails.decode(reply.body) else { return opaque }
        let sent = Set(requestIDs)
        for group in problem.validationErrors {
            for name in group.requestIDs where sent.contains(name) {
                for error in group.errors {
                    guard let path = error.path,
                        let configured = ConfiguredID.at(
                            path: path, customFieldIDs: customFieldIDs[name] ?? [],
                            contactFieldCodes: contactFieldCodes[name] ?? [])
                    else { continue }
                    return .failed(.accountRefused(status: reply.status, problem: .configuredID(configured, path: path)))
                }
            }
        }
        var rejected: [String: String] = [:]
        for group in problem.validationErrors {
            for name in group.requestIDs where sent.contains(name) {
                let reason = rejected[name].map { $0 + "; " + group.reason } ?? group.reason
                rejected[name] = ReplyText.bounded(reason)
            }
        }
        guard !rejected.isEmpty else { return opaque }
        return .batchRejected(status: reply.status, rejected: rejected, message: failure.message)
    }
}

/// A lead AmoCRM reports as created (or merged into an existing one).
public struct CreatedLead: Sendable, Equatable {
    /// The ledger lead id it was sent under.
    public var requestID: String
    public var crmLeadID: Int64
    public var crmContactID: Int64?
    /// True when duplicate control matched an existing lead: `crmLeadID` is then that lead, not a new one.
    public var merged: Bool

    public init(requestID: String, crmLeadID: Int64, crmContactID: Int64?, merged: Bool) {
        self.requestID = requestID
        self.crmLeadID = crmLeadID
        self.crmContactID = crmContactID
        self.merged = merged
    }
}

/// One element of the complex reply: `{"id": 1, "contact_id": 2, "company_id": 3, "request_id": ["…"], "merged": false}`.
struct ComplexReplyItem: Decodable {
    var id: Int64?
    var contactID: Int64?
    var requestIDs: [String]
    var merged: Bool

    enum CodingKeys: String, CodingKey {
        case id
        case contactID = "contact_id"
        case requestID = "request_id"
        case merged
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = container.lenientInt64(.id)
        contactID = container.lenientInt64(.contactID)
        requestIDs = (try? container.decodeIfPresent(RequestIDList.self, forKey: .requestID))?.values ?? []
        merged = container.lenientBool(.merged) ?? false
    }

    /// The documented top-level array, or the `{"_embedded": {"leads": [...]}}` shape of the plain leads endpoint.
    static func decodeList(_ body: [UInt8]) -> [ComplexReplyItem]? {
        let data = Data(body)
        if let list = try? JSONDecoder().decode([ComplexReplyItem].self, from: data) { return list }
        return (try? JSONDecoder().decode(EmbeddedLeads<ComplexReplyItem>.self, from: data))?.embedded.leads
    }
}

/// `{"_embedded": {"leads": [...]}}`, the HAL shape of lists.
struct EmbeddedLeads<Lead: Decodable>: Decodable {
    struct Embedded: Decodable {
        var leads: [Lead]
    }

    var embedded: Embedded

    enum CodingKeys: String, CodingKey {
        case embedded = "_embedded"
    }
}
