import Foundation
import LedgerCore

/// Where and how patiently the client talks to the Bot API.
///
/// Every call is bounded well below the supervisor's stop timeout (30 s in the systemd units and the PM2 file): an alert must never be the
/// thing that freezes the reactor. The defaults give Telegram 5 s to accept a connection and 15 s for the whole
/// exchange.
public struct TelegramClientConfiguration: Sendable, CustomStringConvertible {
    /// `LEADLEDGER_TELEGRAM_API_URL`, `https://api.telegram.org` by default; `/bot<token>/<method>` is appended.
    public var apiURL: URL
    /// `LEADLEDGER_TELEGRAM_BOT_TOKEN`. It travels in the URL path, so no URL this client builds is ever logged.
    public var botToken: Secret
    /// Applies to the transport the `TelegramClient` creates itself; an injected one keeps its own.
    public var connectTimeout: Duration
    /// The whole exchange, connect to last body byte; past it the call ends as `transient`.
    public var requestTimeout: Duration
    /// Bodies larger than this are not read (`TelegramAPI.maxReplyBodyBytes`).
    public var maxReplyBodyBytes: Int
    public var userAgent: String

    public init(
        apiURL: URL, botToken: Secret, connectTimeout: Duration = .seconds(5), requestTimeout: Duration = .seconds(15),
        maxReplyBodyBytes: Int = TelegramAPI.maxReplyBodyBytes, userAgent: String = "LeadLedger"
    ) {
        self.apiURL = apiURL
        self.botToken = botToken
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.maxReplyBodyBytes = maxReplyBodyBytes
        self.userAgent = userAgent
    }

    /// From the validated settings (`LEADLEDGER_TELEGRAM_*`).
    public init(settings: TelegramSettings, connectTimeout: Duration = .seconds(5), requestTimeout: Duration = .seconds(15)) {
        self.init(
            apiURL: settings.apiURL, botToken: settings.botToken, connectTimeout: connectTimeout,
            requestTimeout: requestTimeout)
    }

    /// Never shows the token: `Secret` prints `<redacted>`.
    public var description: String {
        "TelegramClientConfiguration(apiURL: \(apiURL.absoluteString), botToken: \(botToken), "
            + "connectTimeout: \(connectTimeout), requestTimeout: \(requestTimeout))"
    }

    /// The full URL of a Bot API method. Contains the token: for the request only, never for text.
    func url(method: String) -> String {
        var base = apiURL.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        return base + TelegramAPI.methodPath(token: botToken.value, method: method)
    }
}
