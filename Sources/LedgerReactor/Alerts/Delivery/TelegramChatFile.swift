import Foundation
import LedgerTelegram

/// `<db>.telegram-chat.json`: the supergroup a configured group chat migrated to, so a restart keeps sending there
/// until the owner updates `LEADLEDGER_TELEGRAM_CHAT_ID`. It applies only while the setting still names the chat it
/// replaced; once the setting changes, the file is ignored. Owner-only, written atomically (`DurableFile`).
struct TelegramChatFile: Codable, Equatable {
    /// `LEADLEDGER_TELEGRAM_CHAT_ID` as it was when the chat migrated.
    var configured: String
    var migratedTo: Int64

    enum CodingKeys: String, CodingKey {
        case configured
        case migratedTo = "migrated_to"
    }

    static func path(forLog logPath: String) -> String { logPath + ".telegram-chat.json" }

    /// The chat to send to: the migrated one when the file names this setting, else the setting.
    static func chat(configured: String, logPath: String) -> TelegramChatID? {
        if let data = FileManager.default.contents(atPath: path(forLog: logPath)),
            let file = try? JSONDecoder().decode(TelegramChatFile.self, from: data), file.configured == configured
        {
            return .id(file.migratedTo)
        }
        return TelegramChatID(configured)
    }

    static func save(configured: String, migratedTo: Int64, logPath: String) throws {
        let file = TelegramChatFile(configured: configured, migratedTo: migratedTo)
        try DurableFile.write(try JSONEncoder().encode(file), to: path(forLog: logPath))
    }
}
