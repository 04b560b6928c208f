import LedgerCore
import LedgerOutbound
import LedgerTelegram
import Testing

/// Classification from recorded bodies: the Bot API's own shapes, and what a proxy in front of it sends instead.
@Suite struct TelegramReplyTests {
    static let now = Timestamp(millisecondsSinceEpoch: 1_765_000_000_000)

    @Test func aDeliveredMessageGivesItsID() {
        let body =
            #"{"ok":true,"result":{"message_id":4711,"date":1795942800,"chat":{"id":-1001,"type":"supergroup"},"text":"x"}}"#
        #expect(classify(200, body) == .delivered(messageID: 4711))
    }

    @Test func floodControlHonoursRetryAfterExactly() {
        let body =
            #"{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 35","parameters":{"retry_after":35}}"#
        #expect(classify(429, body) == .floodControl(retryAfter: .seconds(35)))
    }

    @Test func floodControlWithoutRetryAfterBacksOffByTheDefault() {
        #expect(
            classify(429, #"{"ok":false,"error_code":429,"description":"Too Many Requests"}"#)
                == .floodControl(retryAfter: TelegramAPI.defaultFloodBackoff))
        #expect(
            classify(429, "<html><title>429 Too Many Requests</title></html>")
                == .floodControl(retryAfter: TelegramAPI.defaultFloodBackoff))
    }

    @Test func aMigratedGroupGivesTheNewChatID() {
        let body = #"""
            {"ok":false,"error_code":400,"description":"Bad Request: group chat was upgraded to a supergroup chat",
             "parameters":{"migrate_to_chat_id":-1001234567890}}
            """#
        #expect(classify(400, body) == .migrated(to: -1_001_234_567_890))
    }

    @Test func brokenMarkupAsksForAPlainTextResend() {
        let body = #"""
            {"ok":false,"error_code":400,"description":"Bad Request: can't parse entities: Can't find end of the entity starting at byte offset 12"}
            """#
        guard case .unparsableMarkup(let reason) = classify(400, body) else {
            Issue.record("expected unparsableMarkup")
            return
        }
        #expect(reason.contains("can't parse entities"))
    }

    @Test(arguments: [
        (400, #"{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}"#, "chat not found"),
        (401, #"{"ok":false,"error_code":401,"description":"Unauthorized"}"#, "Unauthorized"),
        (403, #"{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}"#, "blocked"),
        (403, #"{"ok":false,"error_code":403,"description":"Forbidden: bot was kicked from the group chat"}"#, "kicked"),
        (404, #"{"ok":false,"error_code":404,"description":"Not Found"}"#, "Not Found"),
    ])
    func refusalsTheOwnerCanFixBlockTheChannel(status: Int, body: String, reasonPart: String) {
        guard case .blocked(let reason) = classify(status, body) else {
            Issue.record("expected blocked for \(status) \(body)")
            return
        }
        #expect(reason.contains(reasonPart))
        #expect(reason.hasPrefix("HTTP \(status): "))
    }

    @Test func aRefusalOfTheMessageItselfIsPermanent() {
        let body = #"{"ok":false,"error_code":400,"description":"Bad Request: message is too long"}"#
        #expect(classify(400, body) == .permanent(reason: "HTTP 400: Bad Request: message is too long"))
    }

    @Test func anNginx502PageIsTransientAndNamedByItsTitle() {
        let page =
            "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body><center><h1>502 Bad Gateway</h1></center>"
            + "<hr><center>nginx</center></body></html>"
        #expect(classify(502, page) == .transient(reason: "HTTP 502: 502 Bad Gateway"))
    }

    @Test func a500WithTheBotAPIShapeIsTransient() {
        #expect(
            classify(500, #"{"ok":false,"error_code":500,"description":"Internal Server Error"}"#)
                == .transient(reason: "HTTP 500: Internal Server Error"))
    }

    @Test(arguments: ["", "{\"ok\":tr", "\u{0}\u{1}garbage", "{\"ok\":true,\"result\":true}", "[1,2,3]", "<html></html>"])
    func aSuccessStatusWithoutADeliveredMessageIsTransient(body: String) {
        guard case .transient(let reason) = classify(200, body) else {
            Issue.record("expected transient for \(body.debugDescription)")
            return
        }
        #expect(reason.hasPrefix("reply without a delivered message: HTTP 200"))
        #expect(!reason.contains("garbage"), "a garbage body is never quoted")
    }

    @Test func anEmptyErrorBodyIsClassifiedByItsStatus() {
        #expect(classify(502, "") == .transient(reason: "HTTP 502, empty body"))
        #expect(classify(403, "") == .blocked(reason: "HTTP 403, empty body"))
    }

    @Test func aBodyOverTheLimitIsTransientWithoutBeingRead() {
        let exchange = HTTPExchange.response(HTTPReply(status: 200, body: [], bodyExceededLimit: true, receivedAt: Self.now))
        guard case .transient(let reason) = TelegramReply.classify(exchange) else {
            Issue.record("expected transient")
            return
        }
        #expect(reason.contains("not read"))
    }

    @Test func noReplyAtAllIsTransient() {
        let exchange = HTTPExchange.transportFailure(TransportFailure(.readTimeout, detail: "deadlineExceeded"))
        #expect(TelegramReply.classify(exchange) == .transient(reason: "no reply: read_timeout: deadlineExceeded"))
    }

    @Test func oddlyTypedParametersAreStillRead() {
        let body = #"{"ok":false,"error_code":429,"description":"Too Many Requests","parameters":{"retry_after":"7"}}"#
        #expect(classify(429, body) == .floodControl(retryAfter: .seconds(7)))
    }

    @Test func getMeChecksTheTokenAndNamesTheBot() {
        let ok = HTTPExchange.response(
            HTTPReply(
                status: 200, text: #"{"ok":true,"result":{"id":123,"is_bot":true,"username":"fake_bot"}}"#, receivedAt: Self.now))
        #expect(TelegramBotCheck.classify(ok) == .valid(botID: 123, username: "fake_bot"))
        let unauthorized = HTTPExchange.response(
            HTTPReply(status: 401, text: #"{"ok":false,"error_code":401,"description":"Unauthorized"}"#, receivedAt: Self.now))
        #expect(TelegramBotCheck.classify(unauthorized) == .failed(.blocked(reason: "HTTP 401: Unauthorized")))
    }

    // MARK: - Helpers

    private func classify(_ status: Int, _ body: String) -> TelegramReply {
        TelegramReply.classify(.response(HTTPReply(status: status, text: body, receivedAt: Self.now)))
    }
}
