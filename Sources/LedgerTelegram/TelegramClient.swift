import Foundation
import LedgerCore
import LedgerOutbound
import Logging

/// The HTTP side of the Bot API: sends one request, returns what happened as a value. Never throws on HTTP or
/// transport errors, because for the alerter they are outcomes to act on (wait, resend, mark alerts broken), not
/// exceptions to propagate.
///
/// The client does no retrying, pacing or deduplication: those are `AlertThrottle`'s and the reactor's policy,
/// decided from the classified replies this client returns. Redirects are never followed. The bot token lives only
/// in the request URL; nothing this client logs or returns contains it (`TokenRedactor`).
public final class TelegramClient: Sendable {
    private let transport: any HTTPTransport
    private let configuration: TelegramClientConfiguration
    private let redactor: TokenRedactor
    private let logger: Logger

    /// - Parameters:
    ///   - transport: the network; nil makes a `ClientTransport` from `configuration`, with no logger (AsyncHTTPClient's
    ///     request logs could carry the URL, and with it the token). Either way the client owns it and `shutdown()`
    ///     shuts it down.
    ///   - logger: gets one line per call, never the URL, the token or the message text.
    public init(configuration: TelegramClientConfiguration, transport: (any HTTPTransport)? = nil, logger: Logger) {
        self.configuration = configuration
        self.redactor = TokenRedactor(token: configuration.botToken.value)
        self.logger = logger
        self.transport =
            transport
            ?? ClientTransport(
                connectTimeout: configuration.connectTimeout, maxReplyBodyBytes: configuration.maxReplyBodyBytes)
    }

    /// Shuts down the transport. Call once, when done.
    public func shutdown() async {
        await transport.shutdown()
    }

    /// `POST /bot<token>/sendMessage`, link previews off.
    ///
    /// Text that is empty or over `TelegramAPI.maxTextUTF16Units` after markup is refused here as `.permanent`,
    /// without a call: the caller must split with `MessageSplitter` first.
    /// - Parameter parseMode: `.html` for texts from `AlertText`; nil sends plain text (the fallback after
    ///   `.unparsableMarkup`).
    public func sendMessage(chatID: TelegramChatID, text: String, parseMode: TelegramParseMode?) async -> TelegramReply {
        if parseMode != .markdownV2 {
            let length = parseMode == .html ? TelegramHTML.plainLength(text) : text.utf16.count
            if length > TelegramAPI.maxTextUTF16Units {
                return logged(
                    .permanent(
                        reason: "not sent: text is \(length) UTF-16 units after markup, over \(TelegramAPI.maxTextUTF16Units)"),
                    method: "sendMessage")
            }
        }
        let request = SendMessageRequest(chatID: chatID, text: text, parseMode: parseMode)
        let body: [UInt8]
        do {
            body = Array(try JSONEncoder().encode(request))
        } catch {
            return logged(.permanent(reason: "not sent: cannot encode the request: \(error)"), method: "sendMessage")
        }
        let exchange = await send(method: "sendMessage", body: body)
        return logged(TelegramReply.classify(exchange).redacting(redactor), method: "sendMessage")
    }

    /// `GET /bot<token>/getMe`: does the token work? For `check-config` and start-up, never for alert delivery.
    public func getMe() async -> TelegramBotCheck {
        let check = TelegramBotCheck.classify(await send(method: "getMe", body: nil))
        switch check {
        case .valid(let botID, _):
            logger.debug("Telegram bot token works", metadata: ["telegram.method": "getMe", "telegram.bot_id": "\(botID)"])
            return check
        case .failed(let reply):
            return .failed(logged(reply.redacting(redactor), method: "getMe"))
        }
    }

    /// Sends one request and records what happened: a POST with a JSON body, or a GET without one. A failure's
    /// detail may quote the request, so the token is redacted from it here.
    func send(method: String, body: [UInt8]?) async -> HTTPExchange {
        var headers = [
            OutboundRequest.Header("User-Agent", configuration.userAgent),
            OutboundRequest.Header("Accept", "application/json"),
        ]
        if body != nil { headers.append(.init("Content-Type", "application/json")) }
        let exchange = await transport.send(
            OutboundRequest(
                method: body == nil ? .GET : .POST, url: configuration.url(method: method), headers: headers, body: body,
                timeout: configuration.requestTimeout))
        switch exchange {
        case .response: return exchange
        case .transportFailure(let failure): return .transportFailure(failure.mapDetail(redactor.redact))
        }
    }

    /// Logs the outcome: delivered at debug, everything else at warning with the (redacted, bounded) reason.
    private func logged(_ reply: TelegramReply, method: String) -> TelegramReply {
        switch reply {
        case .delivered(let messageID):
            logger.debug(
                "Telegram delivered a message", metadata: ["telegram.method": "\(method)", "telegram.message_id": "\(messageID)"])
        default:
            logger.warning(
                "Telegram call did not deliver",
                metadata: [
                    "telegram.method": "\(method)", "telegram.outcome": "\(reply.outcomeName)",
                    "telegram.reason": "\(redactor.redact(reply.reason))",
                ])
        }
        return reply
    }
}
