import LedgerAmoCRM
import LedgerCore
import LedgerOutbound
import Testing

@Suite struct ComplexCreateReplyTests {
    let ids = [Fixture.leadID(1), Fixture.leadID(2), Fixture.leadID(3)].map(\.description)

    @Test func createdLeadsAreMatchedByRequestIDArraysNotByPosition() {
        let body = """
            [{"id": 3003, "contact_id": 4003, "company_id": null, "request_id": ["\(ids[2])"], "merged": false},
             {"id": 3001, "contact_id": 4001, "company_id": null, "request_id": ["\(ids[0])"], "merged": false},
             {"id": 3002, "contact_id": null, "request_id": ["\(ids[1])"], "merged": false}]
            """
        let reply = ComplexCreateReply.classify(Fixture.reply(200, body), requestIDs: ids)
        #expect(
            reply
                == .created([
                    CreatedLead(requestID: ids[0], crmLeadID: 3001, crmContactID: 4001, merged: false),
                    CreatedLead(requestID: ids[1], crmLeadID: 3002, crmContactID: nil, merged: false),
                    CreatedLead(requestID: ids[2], crmLeadID: 3003, crmContactID: 4003, merged: false),
                ]))
    }

    @Test func aPlainStringRequestIDIsAcceptedToo() {
        let body = #"[{"id": "9774766", "contact_id": 12117258, "request_id": "\#(ids[0])"}]"#
        let reply = ComplexCreateReply.classify(Fixture.reply(200, body), requestIDs: [ids[0]])
        #expect(
            reply == .created([CreatedLead(requestID: ids[0], crmLeadID: 9_774_766, crmContactID: 12_117_258, merged: false)]))
    }

    @Test func aMergedLeadIsASuccessPointingAtTheExistingLead() {
        let body = #"[{"id": 777, "contact_id": 888, "request_id": ["\#(ids[0])"], "merged": true}]"#
        let reply = ComplexCreateReply.classify(Fixture.reply(200, body), requestIDs: [ids[0]])
        #expect(reply == .created([CreatedLead(requestID: ids[0], crmLeadID: 777, crmContactID: 888, merged: true)]))
    }

    @Test func aReplyMissingOneLeadLeavesThatLeadUnknownNotFailed() {
        let body = """
            [{"id": 1, "contact_id": 11, "request_id": ["\(ids[0])"]}, {"id": 2, "contact_id": 12, "request_id": ["\(ids[1])"]}]
            """
        let reply = ComplexCreateReply.classify(Fixture.reply(200, body), requestIDs: ids)
        guard case .partiallyCreated(let created, let unaccounted) = reply else {
            Issue.record("expected partiallyCreated, got \(reply)")
            return
        }
        #expect(created.map(\.crmLeadID) == [1, 2])
        #expect(unaccounted == [ids[2]])
        let outcomes = reply.outcomes(requestIDs: ids)
        #expect(outcomes[2].outcome == .unknownOutcome(reason: "2xx reply did not name this lead", httpStatus: nil))
        #expect(outcomes[0].outcome == .created(created[0]))
    }

    @Test func aSingleLeadReplyWithoutRequestIDIsThatLead() {
        let reply = ComplexCreateReply.classify(Fixture.reply(200, #"[{"id": 5, "contact_id": 6}]"#), requestIDs: [ids[0]])
        #expect(reply == .created([CreatedLead(requestID: ids[0], crmLeadID: 5, crmContactID: 6, merged: false)]))
    }

    @Test(arguments: [
        ("garbage", "<<<not json>>>"), ("empty", ""), ("object", #"{"title": "OK"}"#),
        ("strangers", #"[{"id": 1, "request_id": ["x"]}]"#),
        ("wrong types", #"[{"id": {"a": 1}, "request_id": 5}]"#),
    ])
    func anUnreadableSuccessIsAnUnknownOutcomeNeverAFailure(name: String, body: String) {
        let reply = ComplexCreateReply.classify(Fixture.reply(200, body), requestIDs: ids)
        guard case .unknownOutcome(_, let status) = reply else {
            Issue.record("\(name): expected unknownOutcome, got \(reply)")
            return
        }
        #expect(status == 200)
        #expect(reply.outcomes(requestIDs: ids).allSatisfy { if case .unknownOutcome = $0.outcome { true } else { false } })
    }

    @Test func aSuccessBodyOverTheLimitIsNotParsedAndIsUnknown() {
        let exchange = HTTPExchange.response(HTTPReply(status: 200, bodyExceededLimit: true, receivedAt: Fixture.now))
        guard case .unknownOutcome = ComplexCreateReply.classify(exchange, requestIDs: ids) else {
            Issue.record("a 2xx with an oversized body must be an unknown outcome")
            return
        }
    }

    @Test func validationErrorsForOneOfThreeLeadsRejectItAndSpareTheOthers() {
        let body = """
            {"title": "Bad Request", "type": "https://httpstatus.es/400", "status": 400, "detail": "Request validation failed",
             "validation-errors": [{"request_id": "\(ids[1])", "errors": [{"code": "NotSupportedChoice",
               "path": "custom_fields_values.0.values.0.value", "detail": "The value you selected is not a valid choice: ivan@example.ru"}]}]}
            """
        let reply = ComplexCreateReply.classify(
            Fixture.reply(400, body, contentType: "application/problem+json"), requestIDs: ids)
        #expect(
            reply
                == .batchRejected(
                    status: 400, rejected: [ids[1]: "NotSupportedChoice at custom_fields_values.0.values.0.value"],
                    message: "Bad Request: Request validation failed"))
        let outcomes = reply.outcomes(requestIDs: ids)
        #expect(
            outcomes[1].outcome == .rejected(status: 400, reason: "NotSupportedChoice at custom_fields_values.0.values.0.value"))
        #expect(
            outcomes[0].outcome == .resendAlone(reason: "batch refused for other leads: Bad Request: Request validation failed"))
        #expect(outcomes[2].outcome == outcomes[0].outcome)
        // The per-error detail can quote personal data; it never reaches a stored message.
        #expect(!"\(reply)".contains("ivan@example.ru"))
    }

    /// AmoCRM's "code 244" (no rights, ended subscription) names no lead: it is the account's, alone or in a batch,
    /// and never a lead's rejection. So is a 400 whose body is not even a problem document.
    @Test func aRejectionWithoutPerLeadDetailIsTheAccountsNeverALeads() {
        let body = #"{"title": "Bad Request", "status": 400, "detail": "Код ошибки 244"}"#
        let refused = AmoCRMFailure.accountRefused(status: 400, problem: .opaqueRefusal(message: "Bad Request: Код ошибки 244"))
        for sent in [[ids[0]], ids] {
            let reply = ComplexCreateReply.classify(Fixture.reply(400, body), requestIDs: sent)
            #expect(reply == .failed(refused))
            #expect(reply.outcomes(requestIDs: sent).allSatisfy { $0.outcome == .failed(refused) })
        }
        let html = ComplexCreateReply.classify(
            Fixture.reply(400, "<html>Bad Request</html>", contentType: "text/html"), requestIDs: ids)
        #expect(
            html.outcomes(requestIDs: ids).allSatisfy { if case .failed(.accountRefused) = $0.outcome { true } else { false } })
    }

    /// A validation error at a configured id is the configuration's: every lead would get it. The field id comes
    /// from the request, so the alert can name the mapping entry.
    @Test(arguments: [
        ("pipeline_id", ConfiguredID.pipeline), ("status_id", .status), ("responsible_user_id", .responsibleUser),
        ("custom_fields_values.1.field_id", .leadField(512_346)),
        ("_embedded.contacts.0.custom_fields_values.0.field_code", .contactField(code: "PHONE")),
    ])
    func aValidationErrorAtAConfiguredIDIsTheAccountsNotTheLeads(path: String, configured: ConfiguredID) {
        let body = """
            {"title": "Bad Request", "status": 400, "detail": "Request validation failed",
             "validation-errors": [{"request_id": "\(ids[1])", "errors": [{"code": "NotSupportedChoice", "path": "\(path)"}]}]}
            """
        let reply = ComplexCreateReply.classify(
            Fixture.reply(400, body, contentType: "application/problem+json"), requestIDs: ids,
            customFieldIDs: [ids[1]: [512_345, 512_346]], contactFieldCodes: [ids[1]: ["PHONE", "EMAIL"]])
        #expect(reply == .failed(.accountRefused(status: 400, problem: .configuredID(configured, path: path))))
    }

    @Test func anNginx403PageIsForbiddenWithItsTitle() {
        let reply = ComplexCreateReply.classify(Fixture.reply(403, Fixture.nginx403, contentType: "text/html"), requestIDs: ids)
        #expect(reply == .failed(.forbidden(message: "HTTP 403: 403 Forbidden")))
    }

    @Test func anHTML429WithoutRetryAfterIsRateLimitedWithoutADelay() {
        let reply = ComplexCreateReply.classify(Fixture.reply(429, Fixture.html429, contentType: "text/html"), requestIDs: ids)
        #expect(reply == .failed(.rateLimited(retryAfter: nil, message: "HTTP 429: 429 Too Many Requests")))
    }

    @Test func a429WithRetryAfterSecondsOrAnHTTPDateCarriesTheDelay() {
        let seconds = ComplexCreateReply.classify(Fixture.reply(429, "", retryAfter: "7"), requestIDs: ids)
        #expect(seconds == .failed(.rateLimited(retryAfter: .seconds(7), message: "HTTP 429")))
        // Fixture.now is Thu, 01 Jan 2026 00:00:00 GMT.
        let date = ComplexCreateReply.classify(
            Fixture.reply(429, "", retryAfter: "Thu, 01 Jan 2026 00:01:30 GMT"), requestIDs: ids)
        #expect(date == .failed(.rateLimited(retryAfter: .seconds(90), message: "HTTP 429")))
    }

    @Test func statusesMapToTheirFailures() {
        let problem =
            #"{"title": "Unauthorized", "type": "https://httpstatus.es/401", "status": 401, "detail": "Неверный логин или пароль"}"#
        #expect(
            ComplexCreateReply.classify(Fixture.reply(401, problem), requestIDs: ids)
                == .failed(.unauthorized(message: "Unauthorized: Неверный логин или пароль")))
        #expect(
            ComplexCreateReply.classify(Fixture.reply(402, ""), requestIDs: ids) == .failed(.paymentRequired(message: "HTTP 402"))
        )
        #expect(
            ComplexCreateReply.classify(Fixture.reply(502, "<html><title>502 Bad Gateway</title></html>"), requestIDs: ids)
                == .failed(.serverError(status: 502, message: "HTTP 502: 502 Bad Gateway")))
        #expect(
            ComplexCreateReply.classify(Fixture.reply(404, "Not here", contentType: "text/plain"), requestIDs: ids)
                == .failed(.unexpected(status: 404, message: "HTTP 404: Not here")))
    }

    @Test func aFailureBeforeSendingIsNotSentAndAfterSendingIsUnknown() {
        let refused = ComplexCreateReply.classify(.transportFailure(TransportFailure(.connectFailed)), requestIDs: ids)
        #expect(refused == .failed(.notSent(TransportFailure(.connectFailed))))
        for kind in [TransportFailure.Kind.readTimeout, .connectionLost] {
            let reply = ComplexCreateReply.classify(.transportFailure(TransportFailure(kind)), requestIDs: ids)
            #expect(reply == .unknownOutcome(reason: "no reply: \(kind.rawValue)", httpStatus: nil))
        }
    }

    @Test func everyFailureMapsToASyncErrorClassAndABoundedMessage() {
        let huge = String(repeating: "Ошибка сервера ", count: 500)
        let failure = AmoCRMFailure.serverError(status: 500, message: "")
        #expect(failure.errorClass == .serverError)
        let reply = ComplexCreateReply.classify(Fixture.reply(500, #"{"title": "\#(huge)"}"#), requestIDs: ids)
        guard case .failed(let classified) = reply else {
            Issue.record("expected a failure")
            return
        }
        #expect(classified.message.utf8.count <= AmoCRMAPI.maxMessageBytes)
        #expect(classified.httpStatus == 500)
        let classes: [(AmoCRMFailure, SyncErrorClass)] = [
            (.notSent(TransportFailure(.connectTimeout)), .timeout), (.notSent(TransportFailure(.connectFailed)), .transport),
            (.noReply(TransportFailure(.readTimeout)), .timeout), (.invalidRequest(status: 422, message: ""), .rejected),
            (.unauthorized(message: ""), .unauthorized), (.paymentRequired(message: ""), .paymentRequired),
            (.forbidden(message: ""), .forbidden), (.rateLimited(retryAfter: nil, message: ""), .rateLimited),
            (.malformedReply(status: 200, reason: ""), .malformedReply),
        ]
        for (failure, expected) in classes { #expect(failure.errorClass == expected) }
    }
}
