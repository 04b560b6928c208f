import LedgerCore
import LedgerTelegram
import Logging

/// `leadledger report --send`: the summary of a report, sent once, now, straight to the configured chat (a migrated
/// supergroup remembered beside the log is used, like alert delivery does). Nothing is recorded in the log: the
/// nightly run's `ReportProduced` is the one fact of a day's report; this is an operator asking for a copy.
public enum ReportSummarySender {
    /// Sends `text` (split if long) and returns Telegram's message ids. Throws with Telegram's reason, never the token,
    /// when it refuses or cannot be reached; markup it cannot parse is resent once as plain text, a migrated group
    /// once to its supergroup.
    public static func send(
        _ text: String, telegram: TelegramSettings, settings: AlertSettings, logPath: String, logger: Logger
    ) async throws -> [Int64] {
        guard let chat = TelegramChatFile.chat(configured: telegram.chatID, logPath: logPath) else {
            throw AlertDeliveryError(message: "LEADLEDGER_TELEGRAM_CHAT_ID is not a chat id: \(telegram.chatID)")
        }
        let client = TelegramClient(telegram: telegram, alerts: settings, logger: logger)
        let sent: Result<[Int64], any Error>
        do {
            sent = .success(try await send(text, client: client, chat: chat))
        } catch {
            sent = .failure(error)
        }
        await client.shutdown()
        return try sent.get()
    }

    private static func send(_ text: String, client: TelegramClient, chat configured: TelegramChatID) async throws -> [Int64] {
        var chat = configured
        var messageIDs: [Int64] = []
        for part in MessageSplitter().split(text) {
            var body = part
            var parseMode: TelegramParseMode? = .html
            var migrated = false
            sending: while true {
                let reply = await client.sendMessage(chatID: chat, text: body, parseMode: parseMode)
                switch reply {
                case .delivered(let messageID):
                    messageIDs.append(messageID)
                    break sending
                case .migrated(let newChat) where !migrated:
                    chat = .id(newChat)
                    migrated = true
                case .unparsableMarkup where parseMode != nil:
                    body = TelegramHTML.plainText(body)
                    parseMode = nil
                default:
                    throw AlertDeliveryError(message: "Telegram did not take the summary: \(reply.reason)")
                }
            }
        }
        return messageIDs
    }
}
