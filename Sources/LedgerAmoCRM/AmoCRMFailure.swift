import LedgerCore
import LedgerOutbound

/// Why an AmoCRM call did not give the answer asked for. Shared by every endpoint; the create call adds its own
/// per-lead cases on top (`ComplexCreateReply`).
public enum AmoCRMFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// The request cannot have reached AmoCRM (connect refused or timed out, DNS, TLS): resending is safe.
    case notSent(TransportFailure)
    /// A read-only call whose request may have been received but whose reply never came. Create calls never use
    /// this case: for them the same failure is `ComplexCreateReply.unknownOutcome`.
    case noReply(TransportFailure)
    /// 400/422 without per-lead detail: the request as a whole was refused.
    case invalidRequest(status: Int, message: String)
    /// A create refused for the account or its configuration, not for a lead (`AccountProblem`): every lead would get
    /// the same answer. Sending pauses until a probe shows it is fixed.
    case accountRefused(status: Int, problem: AccountProblem)
    /// 401: the access token is expired, revoked or wrong. One refresh may fix it; a second 401 needs a human.
    case unauthorized(message: String)
    /// 402: the account's subscription or tariff does not allow the call. Needs a human.
    case paymentRequired(message: String)
    /// 403: usually the account or our IP is blocked after rate-limit abuse (an nginx HTML page). All traffic must
    /// stop; hammering prolongs the ban.
    case forbidden(message: String)
    /// 429: over AmoCRM's rate limit. `retryAfter` is nil when the reply had no readable `Retry-After` (the usual case).
    case rateLimited(retryAfter: Duration?, message: String)
    /// 5xx, any body.
    case serverError(status: Int, message: String)
    /// A 2xx to a read whose body is not what the call returns (or is over the body limit).
    case malformedReply(status: Int, reason: String)
    /// Any other status (3xx, 404, 1xx…).
    case unexpected(status: Int, message: String)

    /// The class recorded in `SyncFailed` and counted in health and metrics.
    public var errorClass: SyncErrorClass {
        switch self {
        case .notSent(let failure), .noReply(let failure): failure.errorClass
        case .invalidRequest: .rejected
        case .accountRefused: .accountRefused
        case .unauthorized: .unauthorized
        case .paymentRequired: .paymentRequired
        case .forbidden: .forbidden
        case .rateLimited: .rateLimited
        case .serverError: .serverError
        case .malformedReply: .malformedReply
        case .unexpected: .malformedReply
        }
    }

    /// The HTTP status, when there was a reply.
    public var httpStatus: Int? {
        switch self {
        case .notSent, .noReply: nil
        case .unauthorized: 401
        case .paymentRequired: 402
        case .forbidden: 403
        case .rateLimited: 429
        case .invalidRequest(let status, _), .accountRefused(let status, _), .serverError(let status, _),
            .malformedReply(let status, _),
            .unexpected(let status, _):
            status
        }
    }

    /// A bounded one-line message, safe to store and to show in an alert.
    public var message: String {
        switch self {
        case .notSent(let failure): "not sent: \(failure)"
        case .noReply(let failure): "no reply: \(failure)"
        case .invalidRequest(_, let message), .unauthorized(let message), .paymentRequired(let message),
            .forbidden(let message), .rateLimited(_, let message), .serverError(_, let message),
            .unexpected(_, let message):
            message
        case .malformedReply(_, let reason): reason
        case .accountRefused(_, let problem): problem.message
        }
    }

    public var description: String { "\(errorClass.rawValue): \(message)" }

    /// Classifies a reply whose status is not a success. Callers handle 2xx themselves (its meaning depends on the
    /// call) and, for creates, 400/422 with per-lead validation errors.
    static func classifyError(_ reply: HTTPReply) -> AmoCRMFailure {
        let message = ReplyText.summary(of: reply)
        switch reply.status {
        case 400, 422: return .invalidRequest(status: reply.status, message: message)
        case 401: return .unauthorized(message: message)
        case 402: return .paymentRequired(message: message)
        case 403: return .forbidden(message: message)
        case 429:
            return .rateLimited(retryAfter: RetryAfter.parse(reply.retryAfter, receivedAt: reply.receivedAt), message: message)
        case 500...599: return .serverError(status: reply.status, message: message)
        default: return .unexpected(status: reply.status, message: message)
        }
    }

    /// For read-only calls: a transport failure is `notSent` or `noReply`; nothing is ever created by a read.
    static func readFailure(_ failure: TransportFailure) -> AmoCRMFailure {
        failure.requestMayHaveBeenReceived ? .noReply(failure) : .notSent(failure)
    }
}
