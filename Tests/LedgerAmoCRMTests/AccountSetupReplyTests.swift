import Foundation
import LedgerCore
import LedgerOutbound
import Testing

@testable import LedgerAmoCRM

/// The replies `check-amocrm` reads: the account, its pipelines and its custom fields.
@Suite struct AccountSetupReplyTests {
    private func reply(_ status: Int, _ body: String = "", date: String? = nil) -> HTTPExchange {
        .response(HTTPReply(status: status, text: body, contentType: "application/hal+json", date: date, receivedAt: Fixture.now))
    }

    // MARK: - Account

    @Test func anAccountReplyGivesItsNameAndTheClockOffsetFromTheDateHeader() {
        let exchange = reply(
            200, #"{"id": 29000000, "name": "Студия", "subdomain": "studio"}"#, date: "Thu, 01 Jan 2026 00:00:42 GMT")
        guard case .account(let account) = AccountReply.classify(exchange) else {
            Issue.record("a 200 is the account")
            return
        }
        #expect(account.id == 29_000_000)
        #expect(account.name == "Студия")
        #expect(account.subdomain == "studio")
        #expect(account.clockOffsetMilliseconds == 42_000)
    }

    @Test func anAccountBehindUsHasANegativeOffset() {
        let exchange = reply(200, "{}", date: "Wed, 31 Dec 2025 23:50:00 GMT")
        guard case .account(let account) = AccountReply.classify(exchange) else {
            Issue.record("a 200 is the account")
            return
        }
        #expect(account.clockOffsetMilliseconds == -600_000)
        #expect(account.name == nil)
    }

    @Test func aMalformedBodyOrDateStillMeansTheTokenWorks() {
        for (body, date) in [("<html>", "yesterday"), (#"{"id": "x", "name": {"a": 1}}"#, nil), ("", "Thu, 01 Jan 2026")] {
            guard case .account(let account) = AccountReply.classify(reply(200, body, date: date)) else {
                Issue.record("a 200 is the account whatever its body: \(body)")
                continue
            }
            #expect(account.id == nil)
            #expect(account.name == nil)
            #expect(account.clockOffsetMilliseconds == nil)
        }
        let numericID = AccountReply.classify(reply(200, #"{"id": "7", "name": 12}"#))
        #expect(
            numericID == .account(AccountSummary(id: 7, name: "12", subdomain: nil, serverTime: nil, receivedAt: Fixture.now)))
    }

    @Test func aRefusedAccountReadIsClassifiedLikeEveryRead() {
        let unauthorized = AccountReply.classify(reply(401, #"{"title": "Unauthorized", "status": 401, "detail": "bad token"}"#))
        #expect(unauthorized.isUnauthorized)
        #expect(AccountReply.classify(reply(403, Fixture.nginx403)).failure?.errorClass == .forbidden)
        let lost = AccountReply.classify(.transportFailure(TransportFailure(.connectFailed, detail: "refused")))
        #expect(lost == .failed(.notSent(TransportFailure(.connectFailed, detail: "refused"))))
    }

    // MARK: - Pipelines

    static let pipelines = """
        {"_total_items": 2, "_embedded": {"pipelines": [
          {"id": 3177727, "name": "Воронка", "is_main": true, "_embedded": {"statuses": [
            {"id": 32392156, "name": "Неразобранное", "pipeline_id": 3177727},
            {"id": "32392159", "name": "Первичный контакт"},
            {"name": "без id"},
            {"id": 142, "name": "Успешно реализовано"}]}},
          {"id": 4000001, "name": "Опт", "is_main": false},
          {"name": "no id at all"}
        ]}}
        """

    @Test func pipelinesAreReadWithTheirStagesAndOddEntriesAreSkipped() {
        let expected: [Pipeline] = [
            Pipeline(
                id: 3_177_727, name: "Воронка", isMain: true,
                statuses: [
                    PipelineStatus(id: 32_392_156, name: "Неразобранное"),
                    PipelineStatus(id: 32_392_159, name: "Первичный контакт"),
                    PipelineStatus(id: 142, name: "Успешно реализовано"),
                ]),
            Pipeline(id: 4_000_001, name: "Опт", isMain: false, statuses: []),
        ]
        #expect(PipelineListReply.classify(reply(200, Self.pipelines)) == .pipelines(expected))
    }

    @Test func aPipelineReplyThatIsNotAListIsMalformedAndAnEmptyOneIsEmpty() {
        for body in ["[1, 2]", #"{"_embedded": {"leads": []}}"#, "{\"_embedded\": {\"pipelines\": [", "<html>"] {
            let classified = PipelineListReply.classify(reply(200, body))
            #expect(classified.failure?.errorClass == .malformedReply, "\(body)")
        }
        #expect(PipelineListReply.classify(reply(204)) == .pipelines([]))
        let tooBig = HTTPExchange.response(HTTPReply(status: 200, bodyExceededLimit: true, receivedAt: Fixture.now))
        #expect(PipelineListReply.classify(tooBig).failure?.errorClass == .malformedReply)
        #expect(PipelineListReply.classify(reply(402, #"{"title": "Payment Required"}"#)).failure?.errorClass == .paymentRequired)
    }

    // MARK: - Custom fields

    @Test func aFieldPageReadsIdsTypesAndCodesAndSaysWhetherMoreFollow() {
        let body = """
            {"_page": 1, "_links": {"self": {"href": "x"}, "next": {"href": "y"}}, "_embedded": {"custom_fields": [
              {"id": 900001, "name": "Ledger id", "type": "text", "code": null},
              {"id": "800001", "name": "Телефон", "type": "multitext", "code": "PHONE"},
              {"name": "broken"}
            ]}}
            """
        let expected = [
            CustomField(id: 900_001, name: "Ledger id", type: "text"),
            CustomField(id: 800_001, name: "Телефон", type: "multitext", code: "PHONE"),
        ]
        #expect(CustomFieldListReply.classify(reply(200, body), limit: 250) == .page(fields: expected, isLast: false))
        let short = body.replacingOccurrences(of: #", "next": {"href": "y"}"#, with: "")
        #expect(CustomFieldListReply.classify(reply(200, short), limit: 250) == .page(fields: expected, isLast: true))
        // A full page may be followed by more even without a next link.
        #expect(CustomFieldListReply.classify(reply(200, short), limit: 3) == .page(fields: expected, isLast: false))
        #expect(CustomFieldListReply.classify(reply(204), limit: 250) == .page(fields: [], isLast: true))
        #expect(CustomFieldListReply.classify(reply(200, " \n"), limit: 250) == .page(fields: [], isLast: true))
    }

    @Test func aFieldReplyThatIsNotAListIsMalformedAndErrorsAreClassified() {
        for body in [#"{"_embedded": {"leads": []}}"#, "[]", "{\"_embedded\": {\"custom_fields\": [{"] {
            #expect(CustomFieldListReply.classify(reply(200, body), limit: 250).failure?.errorClass == .malformedReply)
        }
        #expect(CustomFieldListReply.classify(reply(429, ""), limit: 250).failure?.errorClass == .rateLimited)
        #expect(CustomFieldListReply.classify(reply(500, ""), limit: 250).failure?.errorClass == .serverError)
    }

    @Test func onlyTextLikeFieldTypesTakeTheLedgersValues() {
        for type in ["text", "textarea", "url", "tracking_data", "streetaddress"] {
            #expect(CustomField(id: 1, name: "f", type: type).takesText, "\(type)")
        }
        for type in ["numeric", "select", "multitext", "date", "checkbox", ""] {
            #expect(!CustomField(id: 1, name: "f", type: type).takesText, "\(type)")
        }
    }

    @Test func theFieldListPathPagesAtTheLargestLimit() {
        #expect(AmoCRMAPI.customFieldListPath(.leads, page: 2) == "/api/v4/leads/custom_fields?page=2&limit=250")
        #expect(AmoCRMAPI.customFieldListPath(.contacts, page: 1) == "/api/v4/contacts/custom_fields?page=1&limit=250")
    }
}
