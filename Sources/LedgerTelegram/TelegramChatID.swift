/// A chat to send to: a numeric id (groups and supergroups are negative, up to 52 significant bits, hence `Int64`) or
/// a public `@channelname`.
public enum TelegramChatID: Sendable, Hashable, CustomStringConvertible {
    case id(Int64)
    case username(String)

    /// Parses the `LEADLEDGER_TELEGRAM_CHAT_ID` forms: `-1001234567890` or `@channelname`; anything else is nil.
    public init?(_ text: String) {
        if let number = Int64(text) {
            self = .id(number)
        } else if text.hasPrefix("@"), text.count > 1 {
            self = .username(text)
        } else {
            return nil
        }
    }

    public var description: String {
        switch self {
        case .id(let number): String(number)
        case .username(let name): name
        }
    }
}

extension TelegramChatID: Encodable {
    /// A number stays a JSON number and a username a string, as the Bot API documents `chat_id` (Integer or String).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .id(let number): try container.encode(number)
        case .username(let name): try container.encode(name)
        }
    }
}
