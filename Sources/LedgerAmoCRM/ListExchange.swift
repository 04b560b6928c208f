import LedgerOutbound

/// A list call's reply before its body is read: the same first steps for every list (leads, notes, pipelines,
/// custom fields), so each classifier only decodes its own body.
enum ListExchange {
    case failed(AmoCRMFailure)
    /// 204, or a body of nothing but whitespace: how AmoCRM answers a list with nothing on the page.
    case empty
    case body(HTTPReply)

    /// - Parameter what: names the list in the over-limit reason (`"note list"`).
    init(_ exchange: HTTPExchange, what: String) {
        switch exchange {
        case .transportFailure(let failure):
            self = .failed(AmoCRMFailure.readFailure(failure))
        case .response(let reply) where !(200...299).contains(reply.status):
            self = .failed(AmoCRMFailure.classifyError(reply))
        case .response(let reply) where reply.bodyExceededLimit:
            self = .failed(
                .malformedReply(status: reply.status, reason: "\(what) over \(AmoCRMAPI.maxReplyBodyBytes) bytes"))
        case .response(let reply)
        where reply.status == 204 || reply.body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }):
            self = .empty
        case .response(let reply):
            self = .body(reply)
        }
    }
}
