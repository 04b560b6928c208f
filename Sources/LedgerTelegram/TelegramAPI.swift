/// Telegram Bot API facts the client and the alert texts rely on, from the Bot API's documentation
/// (`sendMessage`, its 4096-character limit, `retry_after`).
///
/// Kept in one place so a limit Telegram changes is changed once, and so the splitter, the throttle and the client
/// all size their work from the same numbers.
public enum TelegramAPI {
    /// `sendMessage` takes at most this many characters of text *after* entity parsing (markup stripped, entities
    /// decoded). Entity offsets are UTF-16 code units, so the limit is counted in them: the safe reading.
    public static let maxTextUTF16Units = 4096
    /// The largest reply body read into memory. A `sendMessage` reply echoes at most one message, far below this; a
    /// broken proxy or hostile server must not be able to exhaust memory.
    public static let maxReplyBodyBytes = 64 * 1024
    /// The longest reason kept from a reply (`description`, an HTML title), in UTF-8 bytes: reasons end up in events
    /// and health, so they stay short.
    public static let maxReasonBytes = 300
    /// How long the bot waits after a 429 that carried no `parameters.retry_after`. Telegram always sends it today;
    /// a proxy's 429 may not, and guessing short only earns another 429.
    public static let defaultFloodBackoff: Duration = .seconds(30)
    /// Telegram's documented pace for one chat: about one message per second (short bursts tolerated, then 429).
    public static let minimumIntervalPerChat: Duration = .seconds(1)
    /// Telegram's documented limit for one group: about 20 messages per minute.
    public static let maxMessagesPerMinutePerGroup = 20

    /// `/bot<token>/<method>`. The result contains the token: never log it, pass it through `TokenRedactor` first.
    static func methodPath(token: String, method: String) -> String { "/bot\(token)/\(method)" }
}
