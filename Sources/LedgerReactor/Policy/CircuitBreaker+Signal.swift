import LedgerAmoCRM

extension CircuitBreaker.Signal {
    /// What a failure says about AmoCRM's health.
    public init(_ failure: AmoCRMFailure) {
        switch failure {
        case .notSent, .noReply, .rateLimited, .serverError: self = .unwell
        // A 401 reaches the breaker only after a refresh was tried (or cannot be): a human must renew the token.
        case .forbidden, .paymentRequired, .accountRefused, .unauthorized: self = .blocked
        case .invalidRequest: self = .healthy
        case .malformedReply, .unexpected: self = .neutral
        }
    }

    /// What a create reply says: any reply that proves AmoCRM processed the request is healthy, a lost reply is not.
    public init(_ reply: ComplexCreateReply) {
        switch reply {
        case .created, .partiallyCreated, .batchRejected: self = .healthy
        case .unknownOutcome(_, let status): self = status == nil ? .unwell : .neutral
        case .failed(let failure): self.init(failure)
        }
    }

    public init(_ reply: LeadSearchReply) {
        switch reply {
        case .notFound, .found: self = .healthy
        case .failed(let failure): self.init(failure)
        }
    }

    public init(_ reply: ProbeReply) {
        switch reply {
        case .reachable: self = .healthy
        case .failed(let failure): self.init(failure)
        }
    }

    /// What a note reply says: like a create's, a lost reply is unwell and an added note healthy.
    public init(_ reply: NoteCreateReply) {
        switch reply {
        case .added: self = .healthy
        case .unknownOutcome(_, let status): self = status == nil ? .unwell : .neutral
        case .failed(let failure): self.init(failure)
        }
    }
}
