import Foundation

/// The Bot API reply envelope, read leniently: `{"ok": true, "result": …}` or
/// `{"ok": false, "error_code": …, "description": …, "parameters": {"retry_after", "migrate_to_chat_id"}}`.
///
/// Every field is optional and a field of the wrong type is treated as absent, so one odd field never hides the
/// rest (a `retry_after` sent as a string still pauses the bot). Anything that is not a JSON object decodes as nil.
struct TelegramReplyBody: Decodable, Equatable {
    var ok: Bool?
    var description: String?
    var retryAfterSeconds: Int64?
    var migrateToChatID: Int64?
    /// `result.message_id` of `sendMessage`.
    var messageID: Int64?
    /// `result.username` of `getMe`.
    var username: String?
    /// `result.id` of `getMe`.
    var botID: Int64?

    static func decode(_ body: [UInt8]) -> TelegramReplyBody? {
        guard !body.isEmpty else { return nil }
        return try? JSONDecoder().decode(TelegramReplyBody.self, from: Data(body))
    }

    private enum Keys: String, CodingKey {
        case ok, description, parameters, result
        case retryAfter = "retry_after"
        case migrateToChatID = "migrate_to_chat_id"
        case messageID = "message_id"
        case username, id
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        ok = try? container.decodeIfPresent(Bool.self, forKey: .ok)
        description = try? container.decodeIfPresent(String.self, forKey: .description)
        let parameters = try? container.nestedContainer(keyedBy: Keys.self, forKey: .parameters)
        retryAfterSeconds = parameters?.lenientInt64(.retryAfter)
        migrateToChatID = parameters?.lenientInt64(.migrateToChatID)
        let result = try? container.nestedContainer(keyedBy: Keys.self, forKey: .result)
        messageID = result?.lenientInt64(.messageID)
        username = try? result?.decodeIfPresent(String.self, forKey: .username)
        botID = result?.lenientInt64(.id)
    }
}

extension KeyedDecodingContainer {
    /// An integer sent as a JSON number or a numeric string; anything else is nil.
    fileprivate func lenientInt64(_ key: Key) -> Int64? {
        if let number = try? decodeIfPresent(Int64.self, forKey: key) { return number }
        if let text = try? decodeIfPresent(String.self, forKey: key) { return Int64(text) }
        return nil
    }
}
