/// What one create exchange means for one lead of the batch: the unit the reactor records as `SyncSucceeded` or
/// `SyncFailed`.
public enum LeadCreateOutcome: Sendable, Equatable {
    case created(CreatedLead)
    /// AmoCRM refused this lead's data. Resending the same payload fails the same way: permanent.
    case rejected(status: Int, reason: String)
    /// The batch was refused for other leads, or as a whole without naming any; nothing was created and this lead is
    /// not known to be at fault. Resend it in a batch of its own, where a refusal would name it.
    case resendAlone(reason: String)
    /// The lead may exist in AmoCRM: search before resending.
    case unknownOutcome(reason: String, httpStatus: Int?)
    /// A failure shared by the batch (rate limit, auth, server, not sent).
    case failed(AmoCRMFailure)
}

extension ComplexCreateReply {
    /// The outcome for each request id of the batch, in the order given.
    public func outcomes(requestIDs: [String]) -> [(requestID: String, outcome: LeadCreateOutcome)] {
        requestIDs.map { ($0, outcome(forRequestID: $0)) }
    }

    func outcome(forRequestID requestID: String) -> LeadCreateOutcome {
        switch self {
        case .created(let leads):
            if let lead = leads.first(where: { $0.requestID == requestID }) { return .created(lead) }
            return .unknownOutcome(reason: "reply did not name this lead", httpStatus: nil)
        case .partiallyCreated(let leads, _):
            if let lead = leads.first(where: { $0.requestID == requestID }) { return .created(lead) }
            return .unknownOutcome(reason: "2xx reply did not name this lead", httpStatus: nil)
        case .batchRejected(let status, let rejected, let message):
            if let reason = rejected[requestID] { return .rejected(status: status, reason: reason) }
            return .resendAlone(reason: ReplyText.bounded("batch refused for other leads: \(message)"))
        case .unknownOutcome(let reason, let status):
            return .unknownOutcome(reason: reason, httpStatus: status)
        case .failed(let failure):
            return .failed(failure)
        }
    }
}
