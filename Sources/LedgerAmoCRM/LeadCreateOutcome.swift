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
    ///
    /// `requestIDs` must be the ids the request was built with: a 400 without per-lead detail means "this lead is
    /// bad" for a batch of one, but only "someone is bad" for a bigger batch.
    public func outcomes(requestIDs: [String]) -> [(requestID: String, outcome: LeadCreateOutcome)] {
        requestIDs.map { ($0, outcome(forRequestID: $0, batchSize: requestIDs.count)) }
    }

    func outcome(forRequestID requestID: String, batchSize: Int) -> LeadCreateOutcome {
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
        case .failed(.invalidRequest(let status, let message)):
            if batchSize == 1 { return .rejected(status: status, reason: message) }
            return .resendAlone(reason: ReplyText.bounded("batch refused without naming a lead: \(message)"))
        case .failed(let failure):
            return .failed(failure)
        }
    }
}
