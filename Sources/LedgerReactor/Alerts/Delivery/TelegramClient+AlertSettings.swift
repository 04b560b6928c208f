import LedgerCore
import LedgerTelegram
import Logging

extension TelegramClient {
    /// The client alerts and report summaries go out with: the bot of `telegram`, the timeouts of `alerts`
    /// (`LEADLEDGER_TELEGRAM_CONNECT_TIMEOUT_S`, `LEADLEDGER_TELEGRAM_TIMEOUT_S`).
    public convenience init(telegram: TelegramSettings, alerts: AlertSettings, logger: Logger) {
        self.init(
            configuration: TelegramClientConfiguration(
                settings: telegram, connectTimeout: .seconds(alerts.telegramConnectTimeoutSeconds),
                requestTimeout: .seconds(alerts.telegramTimeoutSeconds)),
            logger: logger)
    }
}
