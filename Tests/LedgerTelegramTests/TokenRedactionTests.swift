import Foundation
import LedgerCore
import LedgerTelegram
import LedgerTesting
import Testing

/// The bot token travels in the URL path; it must never come back out in a reason, a description or a log line.
@Suite struct TokenRedactionTests {
    static let token = "8123456789:AAH-DistinctiveSecretTokenPart_4242"
    static let secretHalf = "AAH-DistinctiveSecretTokenPart_4242"

    @Test func theTokenAppearsInNoReplyReasonDescriptionOrLogLine() async throws {
        let fake = try FakeTelegramProcess(token: Self.token)
        let (logger, lines) = recordingLogger()
        let client = try makeClient(fake, requestTimeout: .seconds(1), logger: logger)
        var seen: [String] = []
        let home = TelegramChatID.id(FakeTelegramProcess.chatID)
        let delivered = await client.sendMessage(chatID: home, text: "ok", parseMode: .html)
        let check = await client.getMe()
        seen += ["\(delivered)", "\(check)"]
        for mode in ["429", "500", "502-html", "down", "blocked", "migrate", "hang"] {
            try await fake.setMode(mode)
            let reply = await client.sendMessage(chatID: home, text: "x", parseMode: .html)
            seen.append("\(reply)")
            seen.append(reply.reason)
            try await fake.setMode("ok")
        }
        let unparsable = await client.sendMessage(chatID: home, text: "<b>", parseMode: .html)
        seen.append("\(unparsable)")
        await client.shutdown()

        // A wrong token (401) and a server that is not there at all (connection refused).
        let port = fake.port
        fake.stop()
        let url = try #require(URL(string: "http://127.0.0.1:\(port)"))
        let configuration = TelegramClientConfiguration(apiURL: url, botToken: Secret(Self.token), requestTimeout: .seconds(1))
        seen.append("\(configuration)")
        let gone = TelegramClient(configuration: configuration, logger: logger)
        let refused = await gone.sendMessage(chatID: home, text: "x", parseMode: .html)
        let goneCheck = await gone.getMe()
        seen += ["\(refused)", "\(goneCheck)"]
        await gone.shutdown()

        let all = seen + lines.all
        #expect(lines.all.count >= 10)
        for text in all {
            #expect(!text.contains(Self.secretHalf), "token leaked: \(text)")
        }
    }

    @Test func aWrongTokenBlocksTheChannelAndIsNotQuoted() async throws {
        let fake = try FakeTelegramProcess()
        let (logger, lines) = recordingLogger()
        guard let url = URL(string: fake.baseURL) else { throw HarnessError(message: "bad url") }
        let client = TelegramClient(
            configuration: TelegramClientConfiguration(apiURL: url, botToken: Secret(Self.token)), logger: logger)
        let reply = await client.sendMessage(chatID: .id(FakeTelegramProcess.chatID), text: "x", parseMode: .html)
        await client.shutdown()
        #expect(reply == .blocked(reason: "HTTP 401: Unauthorized"))
        #expect(lines.all.allSatisfy { !$0.contains(Self.secretHalf) })
    }

    @Test func anInvalidURLErrorDoesNotQuoteTheToken() async throws {
        // A token with a space makes the URL invalid; the error text would otherwise quote it.
        let token = "42:has space DistinctiveSecretTokenPart_4242"
        let (logger, lines) = recordingLogger()
        let configuration = TelegramClientConfiguration(
            apiURL: try #require(URL(string: "http://127.0.0.1:9")), botToken: Secret(token), requestTimeout: .seconds(1))
        let client = TelegramClient(configuration: configuration, logger: logger)
        let reply = await client.sendMessage(chatID: .id(1), text: "x", parseMode: .html)
        await client.shutdown()
        #expect(!"\(reply)".contains("DistinctiveSecretTokenPart_4242"))
        #expect(lines.all.allSatisfy { !$0.contains("DistinctiveSecretTokenPart_4242") })
    }
}
