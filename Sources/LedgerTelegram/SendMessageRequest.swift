/// The JSON body of `sendMessage`. Link previews are off: an alert quoting a URL from a lead must not make Telegram
/// fetch that URL, and a preview card would only push the alert's text out of sight.
struct SendMessageRequest: Encodable {
    var chatID: TelegramChatID
    var text: String
    var parseMode: TelegramParseMode?
    var linkPreviewOptions = LinkPreviewOptions(isDisabled: true)

    struct LinkPreviewOptions: Encodable {
        var isDisabled: Bool

        enum CodingKeys: String, CodingKey {
            case isDisabled = "is_disabled"
        }
    }

    enum CodingKeys: String, CodingKey {
        case chatID = "chat_id"
        case text
        case parseMode = "parse_mode"
        case linkPreviewOptions = "link_preview_options"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(chatID, forKey: .chatID)
        try container.encode(text, forKey: .text)
        // Plain text means no `parse_mode` key at all, which is what the Bot API documents.
        try container.encodeIfPresent(parseMode?.rawValue, forKey: .parseMode)
        try container.encode(linkPreviewOptions, forKey: .linkPreviewOptions)
    }
}
