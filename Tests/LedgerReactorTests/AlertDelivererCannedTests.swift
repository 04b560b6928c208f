import Foundation
import LedgerCore
import LedgerOutbound
import LedgerProjections
import LedgerReactor
import LedgerStore
import LedgerTelegram
import LedgerTesting
import Logging
import Testing

/// Alert delivery against canned Bot API exchanges and a manual clock: what a blocked bot, a lost reply and flood
/// control do to pending alerts, with no server and no waiting.
@Suite struct AlertDelivererCannedTests {
    struct Rig {
        let temp: TemporaryLog
        let transport: CannedTransport
        let deliverer: AlertDeliverer

        /// Telegram refuses connections until a test says what it answers (`answer`).
        init() throws {
            temp = try TemporaryLog()
            transport = CannedTransport(clock: temp.clock) { _, _ in .refused }
            let api = try #require(URL(string: "https://api.telegram.org"))
            let client = TelegramClient(
                configuration: TelegramClientConfiguration(apiURL: api, botToken: Secret("123:canned")),
                transport: transport, logger: Logger(label: "test.canned"))
            deliverer = try AlertDeliverer(
                log: temp.log, localState: temp.log.path, client: client, chatID: "-100123", settings: AlertSettings(),
                locale: "ru",
                timeZone: try #require(TimeZone(identifier: "Europe/Moscow")), clock: temp.clock,
                logger: Logger(label: "test.canned"))
        }

        func raise(_ kind: String) throws {
            let alert = AlertRaised(
                alertID: UUIDv7.make(at: temp.clock.now()), kind: kind, severity: .warning, dedupeKey: kind,
                message: "AmoCRM не ответил 3 раза подряд", subject: "amocrm")
            _ = try temp.log.append(.alertRaised(alert))
        }

        /// From the next call on, every call is answered `reply(clock)`.
        func answer(_ reply: @escaping @Sendable (ManualClock) -> HTTPExchange) {
            let clock = temp.clock
            transport.answer { _, _ in reply(clock) }
        }

        func pending() async throws -> Int { try await temp.log.alertDeliveryStatus().pending.count }
    }

    static func delivered(_ clock: any LedgerClock) -> HTTPExchange {
        .json(200, #"{"ok": true, "result": {"message_id": 77, "chat": {"id": -100123}, "date": 1}}"#, at: clock)
    }

    static func blocked(_ clock: any LedgerClock) -> HTTPExchange {
        .json(
            403, #"{"ok": false, "error_code": 403, "description": "Forbidden: bot was kicked from the supergroup chat"}"#,
            at: clock)
    }

    /// A kicked bot keeps the alert pending and says so beside the log; once it is back, the alert goes out.
    @Test func aBlockedBotKeepsAlertsPendingUntilItIsBack() async throws {
        let rig = try Rig()
        rig.answer(Self.blocked)
        try rig.raise("crm_failures")
        let first = try await rig.deliverer.deliverPending()
        #expect(first.sent == 0 && first.undeliverable == 0)
        #expect(try await rig.pending() == 1)
        let status = try #require(TelegramChannelStatus.read(forLog: rig.temp.path))
        #expect(status.blockedReason?.contains("kicked") == true)
        rig.answer(Self.delivered)
        rig.temp.clock.advance(milliseconds: 61_000)
        let second = try await rig.deliverer.deliverPending()
        #expect(second.sent == 1)
        #expect(try await rig.pending() == 0)
        #expect(TelegramChannelStatus.read(forLog: rig.temp.path)?.blockedReason == nil)
    }

    /// A reply lost after the request left may have delivered the message; the alert stays pending and is sent again
    /// after the backoff (a rare duplicate the owner recognises by its short id beats a silent loss).
    @Test func aLostReplyIsResentAfterTheBackoff() async throws {
        let rig = try Rig()
        rig.answer { _ in .lostReply }
        try rig.raise("crm_failures")
        #expect(try await rig.deliverer.deliverPending().sent == 0)
        #expect(try await rig.deliverer.deliverPending().sent == 0, "within the backoff nothing is sent")
        #expect(rig.transport.calls.count == 1)
        rig.answer(Self.delivered)
        rig.temp.clock.advance(milliseconds: 1_500)
        #expect(try await rig.deliverer.deliverPending().sent == 1)
        #expect(rig.transport.calls.count == 2)
        let text = String(decoding: rig.transport.calls[1].request.body ?? [], as: UTF8.self)
        #expect(text.contains("AmoCRM"), "the alert's own words")
    }
}
