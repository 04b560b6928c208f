import LedgerAmoCRM
import LedgerCore
import LedgerOutbound
import LedgerReactor
import LedgerTesting
import Testing

@Suite struct AttemptDecisionTests {
    let schedule = RetrySchedule.standard
    let context = AttemptDecision.Context(attempt: 1, failedAt: PolicyFixture.now, canRefreshToken: true)
    let created = CreatedLead(requestID: "r", crmLeadID: 1, crmContactID: 2, merged: true)

    @Test func everyOutcomeGetsTheDocumentedDecision() {
        let cases: [(LeadCreateOutcome, SyncErrorClass?, Bool, AttemptDecision.FollowUp?)] = [
            (.created(created), nil, false, nil),
            (.rejected(status: 400, reason: "bad"), .rejected, false, .deadLetter(alert: "AmoCRM refused the lead: bad")),
            (.resendAlone(reason: "others"), .rejected, true, .resendAlone),
            (.unknownOutcome(reason: "lost", httpStatus: nil), .unknownOutcome, true, .reconcileFirst),
            (.failed(.notSent(TransportFailure(.connectTimeout))), .timeout, true, .retry),
            (.failed(.notSent(TransportFailure(.connectFailed))), .transport, true, .retry),
            (.failed(.noReply(TransportFailure(.readTimeout))), .timeout, true, .reconcileFirst),
            (.failed(.serverError(status: 502, message: "m")), .serverError, true, .reconcileFirst),
            (.failed(.malformedReply(status: 200, reason: "m")), .malformedReply, true, .reconcileFirst),
            (.failed(.rateLimited(retryAfter: nil, message: "m")), .rateLimited, true, .retry),
            (.failed(.unauthorized(message: "m")), .unauthorized, true, .refreshTokenAndRetry),
            (
                .failed(.paymentRequired(message: "m")), .paymentRequired, true,
                .stopAllTraffic(alert: "AmoCRM requires payment: m")
            ),
            (.failed(.forbidden(message: "m")), .forbidden, true, .stopAllTraffic(alert: "AmoCRM blocked access: m")),
            (
                .failed(.invalidRequest(status: 422, message: "m")), .rejected, false,
                .deadLetter(alert: "AmoCRM refused the lead: m")
            ),
            (.failed(.unexpected(status: 404, message: "m")), .malformedReply, true, .retry),
            (
                .failed(.accountRefused(status: 400, problem: .configuredID(.pipeline, path: "pipeline_id"))),
                .accountRefused, true,
                .stopAllTraffic(
                    alert:
                        "AmoCRM does not know the configured pipeline (validation error at pipeline_id): check LEADLEDGER_AMOCRM_PIPELINE_ID; sending is paused: it resumes by itself once AmoCRM accepts the id (tried every LEADLEDGER_AMOCRM_BAN_PROBE_S), or when the setting is fixed and the reactor restarted"
                )
            ),
        ]
        for (outcome, errorClass, retryable, followUp) in cases {
            var generator = SeededGenerator(seed: 1)
            let decision = AttemptDecision.decide(
                outcome, context: context, schedule: schedule, locale: .en, using: &generator)
            switch decision {
            case .succeeded(let lead):
                #expect(errorClass == nil && lead == created)
            case .failed(let failure, let actual):
                #expect(failure.errorClass == errorClass, "\(outcome)")
                #expect(failure.retryable == retryable, "\(outcome)")
                #expect(actual == followUp, "\(outcome)")
                // Whatever is decided must be a valid event.
                let event = failure.syncFailed(leadID: LeadID.make(at: PolicyFixture.now), attemptID: "a1", attempt: 1)
                #expect(throws: Never.self) { try event.validate() }
                if let next = failure.nextAttemptAt { #expect(next >= PolicyFixture.now) }
            }
        }
    }

    @Test func a401AfterARefreshStopsTrafficInsteadOfLooping() {
        var generator = SeededGenerator(seed: 1)
        let refreshed = AttemptDecision.Context(attempt: 2, failedAt: PolicyFixture.now, canRefreshToken: false)
        let decision = AttemptDecision.decide(
            .failed(.unauthorized(message: "m")), context: refreshed, schedule: schedule, using: &generator)
        #expect(decision.followUp == .stopAllTraffic(alert: "AmoCRM не принимает токен доступа: m"))
    }

    @Test func aRetryAfterAndABanBothPushTheNextAttemptLater() {
        var generator = SeededGenerator(seed: 1)
        let limited = AttemptDecision.decide(
            .failed(.rateLimited(retryAfter: .seconds(300), message: "")), context: context, schedule: schedule, using: &generator
        )
        #expect(limited.nextAttemptAt == PolicyFixture.now.adding(seconds: 300))
        let banned = AttemptDecision.decide(
            .failed(.forbidden(message: "")), context: context, schedule: schedule, using: &generator)
        #expect(banned.nextAttemptAt == PolicyFixture.now.adding(seconds: 900))
    }

    @Test func theLastAttemptDeadLettersInsteadOfRetrying() {
        var generator = SeededGenerator(seed: 1)
        let last = AttemptDecision.Context(attempt: schedule.maxAttempts, failedAt: PolicyFixture.now, canRefreshToken: true)
        let decision = AttemptDecision.decide(
            .failed(.serverError(status: 500, message: "boom")), context: last, schedule: schedule, using: &generator)
        #expect(decision.nextAttemptAt == nil)
        #expect(decision.followUp == .deadLetter(alert: "заявка не доставлена в AmoCRM после 48 попыток: boom"))
        var english = SeededGenerator(seed: 1)
        let inEnglish = AttemptDecision.decide(
            .failed(.serverError(status: 500, message: "boom")), context: last, schedule: schedule, locale: .en,
            using: &english)
        #expect(inEnglish.followUp == .deadLetter(alert: "gave up after 48 attempts: boom"))
    }

    @Test func onlyUncertainClassesRequireASearchBeforeResending() {
        let uncertain = SyncErrorClass.allCases.filter { AttemptDecision.requiresReconciliation(after: $0) }
        #expect(Set(uncertain) == [.unknownOutcome, .serverError, .malformedReply])
    }
}

extension AttemptDecision {
    var followUp: FollowUp? {
        if case .failed(_, let followUp) = self { return followUp }
        return nil
    }

    var nextAttemptAt: Timestamp? {
        if case .failed(let failure, _) = self { return failure.nextAttemptAt }
        return nil
    }
}
