import LedgerOutbound

/// What a `sendMessage` call means for the alerter: each case names the one thing to do next.
///
/// Branches on the HTTP status and `parameters`, as the Bot API asks ("error_code may change"); the `description`
/// only becomes the reason, and one substring of it marks markup errors, the only 400 that changes what to do.
public enum TelegramReply: Sendable, Equatable {
    /// Delivered; Telegram's id of the message.
    case delivered(messageID: Int64)
    /// 429: flood control. Wait exactly `retryAfter` before *any* call of this bot (the pause is bot-wide), then
    /// resend. `retryAfter` is the reply's `parameters.retry_after`, or `TelegramAPI.defaultFloodBackoff` without it.
    case floodControl(retryAfter: Duration)
    /// 400 with `parameters.migrate_to_chat_id`: the group became a supergroup. Resend to the new id (and tell the
    /// owner to update `LEADLEDGER_TELEGRAM_CHAT_ID`).
    case migrated(to: Int64)
    /// 400 "can't parse entities": the markup is broken and retrying the same payload fails forever. Resend once as
    /// plain text, without `parse_mode`.
    case unparsableMarkup(reason: String)
    /// The bot cannot reach the chat until the owner acts: 401 (the token is wrong or revoked), 403 (the bot was
    /// blocked, kicked or lost its rights), 404 (no such bot), 400 "chat not found". Nothing is wrong with the message:
    /// alerts wait, health says why, and they go out once the token or chat is fixed.
    case blocked(reason: String)
    /// No retry can help this message: any other 400 (message too long, …) or 4xx.
    case permanent(reason: String)
    /// Telegram or the way there is unwell: 5xx, transport failures, timeouts, a 200 whose body is not a delivered
    /// message. Retry with backoff; after a timeout the message may already have been delivered.
    case transient(reason: String)

    /// The reason for logs and delivery events; empty for `delivered`.
    public var reason: String {
        switch self {
        case .delivered: ""
        case .floodControl(let retryAfter): "flood control: retry after \(retryAfter.components.seconds) s"
        case .migrated(let chatID): "group migrated to supergroup \(chatID)"
        case .unparsableMarkup(let reason), .blocked(let reason), .permanent(let reason), .transient(let reason): reason
        }
    }

    /// Classifies a `sendMessage` exchange. Pure: no clock, no I/O.
    public static func classify(_ exchange: HTTPExchange) -> TelegramReply {
        switch exchange {
        case .transportFailure(let failure):
            return .transient(reason: "no reply: \(failure)")
        case .response(let reply) where (200...299).contains(reply.status):
            guard let body = TelegramReplyBody.decode(reply.body), body.ok == true, let messageID = body.messageID else {
                return .transient(reason: "reply without a delivered message: \(TelegramReplyText.summary(of: reply))")
            }
            return .delivered(messageID: messageID)
        case .response(let reply):
            return classifyFailure(reply)
        }
    }

    /// Classifies a reply whose status is not a success; shared by every method.
    static func classifyFailure(_ reply: HTTPReply) -> TelegramReply {
        let body = TelegramReplyBody.decode(reply.body)
        let reason = failureReason(reply, body: body)
        switch reply.status {
        case 429:
            let seconds = body?.retryAfterSeconds.flatMap { $0 >= 0 ? $0 : nil }
            return .floodControl(retryAfter: seconds.map { .seconds($0) } ?? TelegramAPI.defaultFloodBackoff)
        case 400:
            if let newChatID = body?.migrateToChatID { return .migrated(to: newChatID) }
            if let description = body?.description?.lowercased(), description.contains("can't parse entities") {
                return .unparsableMarkup(reason: reason)
            }
            // The one 400 about the chat rather than the message; the Bot API has no code for it, only this text.
            if let description = body?.description?.lowercased(), description.contains("chat not found") {
                return .blocked(reason: reason)
            }
            return .permanent(reason: reason)
        case 401, 403, 404:
            return .blocked(reason: reason)
        case 408:
            return .transient(reason: reason)
        case 402...499:
            return .permanent(reason: reason)
        default:
            // 5xx, and 1xx/3xx (a proxy in the way): nothing says the message was refused for good.
            return .transient(reason: reason)
        }
    }

    /// `HTTP 403: Forbidden: bot was blocked by the user`, or the summary of a body that is not Bot API JSON.
    static func failureReason(_ reply: HTTPReply, body: TelegramReplyBody?) -> String {
        if let description = body?.description, !description.isEmpty {
            return TelegramReplyText.bounded("HTTP \(reply.status): \(description)")
        }
        return TelegramReplyText.summary(of: reply)
    }

    /// A stable name for logs and metrics labels.
    public var outcomeName: String {
        switch self {
        case .delivered: "delivered"
        case .floodControl: "flood_control"
        case .migrated: "migrated"
        case .unparsableMarkup: "unparsable_markup"
        case .blocked: "blocked"
        case .permanent: "permanent"
        case .transient: "transient"
        }
    }

    /// The same reply with `redactor` applied to its reason: the client's last step before anything leaves it.
    func redacting(_ redactor: TokenRedactor) -> TelegramReply {
        switch self {
        case .delivered, .floodControl, .migrated: self
        case .unparsableMarkup(let reason): .unparsableMarkup(reason: redactor.redact(reason))
        case .blocked(let reason): .blocked(reason: redactor.redact(reason))
        case .permanent(let reason): .permanent(reason: redactor.redact(reason))
        case .transient(let reason): .transient(reason: redactor.redact(reason))
        }
    }
}
