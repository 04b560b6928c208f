/// How Telegram reads a message's text. LeadLedger writes HTML: its escaping is three substitutions with no context
/// rules, the safest choice for interpolated lead-derived text (MarkdownV2 reserves 18 characters).
public enum TelegramParseMode: String, Sendable, Equatable {
    case html = "HTML"
    case markdownV2 = "MarkdownV2"
}
