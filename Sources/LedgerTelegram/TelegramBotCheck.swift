import LedgerOutbound

/// What `getMe` says about the configuration: the token works (and which bot it is), or why not.
public enum TelegramBotCheck: Sendable, Equatable {
    case valid(botID: Int64, username: String?)
    /// The token is wrong (`.blocked`, 401) or Telegram could not be asked (`.transient`, …).
    case failed(TelegramReply)

    /// Classifies a `getMe` exchange. Pure.
    public static func classify(_ exchange: HTTPExchange) -> TelegramBotCheck {
        guard case .response(let reply) = exchange, (200...299).contains(reply.status) else {
            return .failed(TelegramReply.classify(exchange))
        }
        guard let body = TelegramReplyBody.decode(reply.body), body.ok == true, let botID = body.botID else {
            return .failed(.transient(reason: "getMe reply without a bot: \(TelegramReplyText.summary(of: reply))"))
        }
        return .valid(botID: botID, username: body.username)
    }
}
