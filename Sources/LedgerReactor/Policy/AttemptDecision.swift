import LedgerAmoCRM
import LedgerCore

/// What the reactor records and does after one lead's create attempt: the pure core of the sync policy.
///
/// `decide` turns a `LeadCreateOutcome` into either a success or the exact fields of a `SyncFailed` event plus one
/// follow-up. Nothing here performs I/O; the reactor carries out the decision. Alert texts are worded in the
/// `locale` passed in (`AlertMessages`).
public enum AttemptDecision: Sendable, Equatable {
    case succeeded(CreatedLead)
    case failed(LeadFailure, followUp: FollowUp)

    /// The side effect the reactor owes besides recording the failure.
    public enum FollowUp: Sendable, Equatable {
        /// Nothing special: retry at `nextAttemptAt`.
        case retry
        /// Resend at once in a batch of its own: the batch was refused for other leads.
        case resendAlone
        /// The lead may already be in AmoCRM: at the next attempt, search (`LeadSearchReply`) before resending.
        case reconcileFirst
        /// Refresh the OAuth token (once, serialised), then retry at once (`nextAttemptAt` is the failure time).
        case refreshTokenAndRetry
        /// Pause all AmoCRM traffic (the breaker is already open) and alert a human: a ban, a payment problem or a
        /// token only a human can renew.
        case stopAllTraffic(alert: String)
        /// This lead needs a human: its data was refused, or it ran out of attempts. It stays dead-lettered until
        /// `requeue`. For a lead whose last outcome was unknown, reconcile before requeueing.
        case deadLetter(alert: String)
    }

    /// Everything the reactor needs to decide about one lead.
    public struct Context: Sendable {
        public var attempt: Int
        public var failedAt: Timestamp
        /// True when an OAuth refresh may still be tried for this 401; false with a long-lived token, or when the
        /// attempt already ran with a freshly refreshed token (a second 401 means refreshing does not help).
        public var canRefreshToken: Bool

        public init(attempt: Int, failedAt: Timestamp, canRefreshToken: Bool) {
            self.attempt = attempt
            self.failedAt = failedAt
            self.canRefreshToken = canRefreshToken
        }
    }

    public static func decide(
        _ outcome: LeadCreateOutcome, context: Context, schedule: RetrySchedule,
        breakerBlockedInterval: Duration = CircuitBreaker.Configuration().blockedProbeInterval, locale: AlertLocale = .ru,
        using generator: inout some RandomNumberGenerator
    ) -> AttemptDecision {
        func scheduled(
            _ errorClass: SyncErrorClass, _ status: Int?, _ message: String, _ followUp: FollowUp, retryAfter: Duration? = nil
        )
            -> AttemptDecision
        {
            let next = schedule.nextAttempt(
                afterAttempt: context.attempt, failedAt: context.failedAt, retryAfter: retryAfter, using: &generator)
            guard let next else {
                let failure = LeadFailure(errorClass: errorClass, httpStatus: status, message: message, nextAttemptAt: nil)
                return .failed(
                    failure,
                    followUp: .deadLetter(
                        alert: AlertMessages.leadGaveUp(attempts: context.attempt, lastError: message, locale)))
            }
            return .failed(
                LeadFailure(errorClass: errorClass, httpStatus: status, message: message, nextAttemptAt: next), followUp: followUp
            )
        }

        switch outcome {
        case .created(let lead):
            return .succeeded(lead)
        case .rejected(let status, let reason):
            let failure = LeadFailure(errorClass: .rejected, httpStatus: status, message: reason, nextAttemptAt: nil)
            return .failed(failure, followUp: .deadLetter(alert: AlertMessages.leadRefused(reply: reason, locale)))
        case .resendAlone(let reason):
            // Not the lead's fault and nothing was created: no backoff, but the attempt still counts.
            let failure = LeadFailure(errorClass: .rejected, httpStatus: nil, message: reason, nextAttemptAt: context.failedAt)
            return .failed(failure, followUp: .resendAlone)
        case .unknownOutcome(let reason, let status):
            return scheduled(.unknownOutcome, status, reason, .reconcileFirst)
        case .failed(let failure):
            return decideShared(
                failure, context: context, scheduled: scheduled, breakerBlockedInterval: breakerBlockedInterval, locale: locale)
        }
    }

    private static func decideShared(
        _ failure: AmoCRMFailure, context: Context,
        scheduled: (SyncErrorClass, Int?, String, FollowUp, Duration?) -> AttemptDecision, breakerBlockedInterval: Duration,
        locale: AlertLocale
    ) -> AttemptDecision {
        let errorClass = failure.errorClass
        let status = failure.httpStatus
        let message = failure.message
        switch failure {
        case .notSent:
            return scheduled(errorClass, status, message, .retry, nil)
        case .noReply, .serverError, .malformedReply:
            // A 5xx may come from a proxy after AmoCRM processed the request; only a 4xx proves nothing was created.
            return scheduled(errorClass, status, message, .reconcileFirst, nil)
        case .rateLimited(let retryAfter, _):
            return scheduled(errorClass, status, message, .retry, retryAfter)
        case .unauthorized:
            if context.canRefreshToken {
                // A known, fixable cause: retry as soon as the token is refreshed, no backoff.
                let failure = LeadFailure(
                    errorClass: errorClass, httpStatus: status, message: message, nextAttemptAt: context.failedAt)
                return .failed(failure, followUp: .refreshTokenAndRetry)
            }
            return scheduled(
                errorClass, status, message, .stopAllTraffic(alert: AlertMessages.tokenRejected(reply: message, locale)), nil)
        case .paymentRequired:
            return scheduled(
                errorClass, status, message, .stopAllTraffic(alert: AlertMessages.paymentRequired(reply: message, locale)),
                breakerBlockedInterval)
        case .accountRefused(_, let problem):
            // Every lead would get the same answer: none is dead-lettered, all wait for the breaker's next probe.
            return scheduled(
                errorClass, status, message, .stopAllTraffic(alert: AccountProblemAlert.text(problem, locale)),
                breakerBlockedInterval)
        case .forbidden:
            // Not before the breaker's next probe: a retry inside a ban only prolongs it.
            return scheduled(
                errorClass, status, message, .stopAllTraffic(alert: AlertMessages.accessBlocked(reply: message, locale)),
                breakerBlockedInterval)
        case .invalidRequest(let status, let message):
            let rejected = LeadFailure(errorClass: .rejected, httpStatus: status, message: message, nextAttemptAt: nil)
            return .failed(rejected, followUp: .deadLetter(alert: AlertMessages.leadRefused(reply: message, locale)))
        case .unexpected:
            return scheduled(errorClass, status, message, .retry, nil)
        }
    }

    /// Whether a lead whose last failure had this class must be searched for before it is sent again. The reactor
    /// reads the class from the projected `SyncFailed`, so this holds across restarts. An attempt with no recorded
    /// outcome at all (a crash mid-call) must be reconciled too.
    public static func requiresReconciliation(after errorClass: SyncErrorClass) -> Bool {
        switch errorClass {
        case .unknownOutcome, .serverError, .malformedReply: true
        case .timeout, .transport, .rateLimited, .rejected, .unauthorized, .forbidden, .paymentRequired, .accountRefused,
            .disabled:
            false
        }
    }
}

/// The fields of a `SyncFailed`, decided; `retryable` follows from `nextAttemptAt`, as `SyncFailed.validate` demands.
public struct LeadFailure: Sendable, Equatable {
    public var errorClass: SyncErrorClass
    public var httpStatus: Int?
    public var message: String
    /// Nil: dead-lettered.
    public var nextAttemptAt: Timestamp?

    public init(errorClass: SyncErrorClass, httpStatus: Int?, message: String, nextAttemptAt: Timestamp?) {
        self.errorClass = errorClass
        self.httpStatus = httpStatus
        self.message = String(message.prefix(FieldLimits.message / 4))
        self.nextAttemptAt = nextAttemptAt
    }

    public var retryable: Bool { nextAttemptAt != nil }

    public func syncFailed(leadID: LeadID, attemptID: String, attempt: Int) -> SyncFailed {
        SyncFailed(
            leadID: leadID, attemptID: attemptID, attempt: attempt, errorClass: errorClass, httpStatus: httpStatus,
            message: message, retryable: retryable, nextAttemptAt: nextAttemptAt)
    }
}
