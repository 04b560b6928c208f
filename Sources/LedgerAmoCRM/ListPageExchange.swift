/// What every paged list read (leads by `created_at`, notes by lead) has in common before its body is decoded: a
/// transport failure or an error status is the read's failure, a body over the limit is never parsed, and a 204 or a
/// blank 200 is an empty last page, which is what AmoCRM sends when nothing matches.
enum ListPageExchange {
    /// The reply whose body holds a page, nil for an empty last page, or why there is no page.
    static func judge(_ exchange: AmoCRMExchange, listing what: String) -> Result<HTTPReply?, AmoCRMFailure> {
        switch exchange {
        case .transportFailure(let failure):
            return .failure(AmoCRMFailure.readFailure(failure))
        case .response(let reply):
            guard (200...299).contains(reply.status) else { return .failure(AmoCRMFailure.classifyError(reply)) }
            guard !reply.bodyExceededLimit else {
                return .failure(
                    .malformedReply(status: reply.status, reason: "\(what) over \(AmoCRMAPI.maxReplyBodyBytes) bytes"))
            }
            if reply.status == 204 || reply.body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
                return .success(nil)
            }
            return .success(reply)
        }
    }
}
