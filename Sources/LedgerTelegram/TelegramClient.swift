import AsyncHTTPClient
import Foundation
import LedgerCore
import Logging
import NIOCore
import NIOHTTP1

/// The HTTP side of the Bot API: sends one request, returns what happened as a value. Never throws on HTTP or
/// transport errors, because for the alerter they are outcomes to act on (wait, resend, mark alerts broken), not
/// exceptions to propagate.
///
/// The client does no retrying, pacing or deduplication: those are `AlertThrottle`'s and the reactor's policy,
/// decided from the classified replies this client returns. Redirects are never followed. The bot token lives only
/// in the request URL; nothing this client logs or returns contains it (`TokenRedactor`).
public final class TelegramClient: Sendable {
    private let httpClient: HTTPClient
    private let ownsHTTPClient: Bool
    private let configuration: TelegramClientConfiguration
    private let redactor: TokenRedactor
    private let logger: Logger

    /// - Parameters:
    ///   - httpClient: a shared client to use; nil creates one this client owns (call `shutdown()` when done).
    ///   - logger: gets one line per call, never the URL, the token or the message text.
    public init(configuration: TelegramClientConfiguration, httpClient: HTTPClient? = nil, logger: Logger) {
        self.configuration = configuration
        self.redactor = TokenRedactor(token: configuration.botToken.value)
        self.logger = logger
        if let httpClient {
            self.httpClient = httpClient
            ownsHTTPClient = false
        } else {
            let timeout = HTTPClient.Configuration.Timeout(
                connect: configuration.connectTimeout.timeAmount, read: configuration.requestTimeout.timeAmount)
            var clientConfiguration = HTTPClient.Configuration(
                redirectConfiguration: .disallow, timeout: timeout, decompression: .disabled)
            clientConfiguration.connectionPool = .init(idleTimeout: .seconds(60))
            self.httpClient = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: clientConfiguration)
            ownsHTTPClient = true
        }
    }

    /// Shuts down the `HTTPClient` if this client created it; a shared one is left to its owner.
    public func shutdown() async throws {
        if ownsHTTPClient { try await httpClient.shutdown() }
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

    /// Sends one request and records what happened: a POST with a JSON body, or a GET without one.
    func send(method: String, body: [UInt8]?) async -> TelegramExchange {
        var headers = HTTPHeaders()
        headers.add(name: "User-Agent", value: configuration.userAgent)
        headers.add(name: "Accept", value: "application/json")
        if body != nil { headers.add(name: "Content-Type", value: "application/json") }
        let request: HTTPClient.Request
        do {
            request = try HTTPClient.Request(
                url: configuration.url(method: method), method: body == nil ? .GET : .POST, headers: headers,
                body: body.map { .bytes($0) })
        } catch {
            return .transportFailure(
                TelegramTransportFailure(.connectFailed, detail: redactor.redact("invalid request URL: \(error)")))
        }
        let recorder = TelegramReplyRecorder(maxBodyBytes: configuration.maxReplyBodyBytes)
        let deadline = NIODeadline.now() + configuration.requestTimeout.timeAmount
        // No logger is passed to AsyncHTTPClient: its request logs could carry the URL, and with it the token.
        let task = httpClient.execute(request: request, delegate: recorder, deadline: deadline)
        do {
            let reply = try await withTaskCancellationHandler {
                try await task.futureResult.get()
            } onCancel: {
                task.cancel()
            }
            return .response(reply)
        } catch {
            if recorder.failedOnBodyLimit(error), let reply = recorder.reply() { return .response(reply) }
            return .transportFailure(
                TelegramTransportFailure.classify(error, requestHeadSent: recorder.requestHeadSent, redactor: redactor))
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

extension Duration {
    /// NIO's `TimeAmount` for this duration, whole nanoseconds.
    var timeAmount: TimeAmount {
        let (seconds, attoseconds) = components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
