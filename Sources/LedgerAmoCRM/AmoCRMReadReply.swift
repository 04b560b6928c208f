/// A classified reply to a read call (a probe, a search, a list page): what it failed with, when it failed. Lets the
/// reactor repeat any read once after a token refresh without knowing which read it was.
public protocol AmoCRMReadReply: Sendable {
    var failure: AmoCRMFailure? { get }
}

extension AmoCRMReadReply {
    /// A 401: the token may only have expired, and one refresh may fix it.
    public var isUnauthorized: Bool {
        if case .unauthorized = failure { true } else { false }
    }
}

extension ProbeReply: AmoCRMReadReply {
    public var failure: AmoCRMFailure? {
        if case .failed(let failure) = self { failure } else { nil }
    }
}

extension LeadSearchReply: AmoCRMReadReply {
    public var failure: AmoCRMFailure? {
        if case .failed(let failure) = self { failure } else { nil }
    }
}

extension LeadListReply: AmoCRMReadReply {
    public var failure: AmoCRMFailure? {
        if case .failed(let failure) = self { failure } else { nil }
    }
}
