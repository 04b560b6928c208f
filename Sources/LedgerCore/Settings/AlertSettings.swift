/// Thresholds of the alert rules `react` evaluates (see `AlertRules` in LedgerReactor). Every one is a setting, so
/// an owner can make a rule quieter or stricter without a new build.
public struct AlertSettings: Sendable, Equatable {
    /// How often the rules are evaluated. `LEADLEDGER_ALERT_CHECK_S` (15).
    public var checkSeconds: Int = 15
    /// Consecutive AmoCRM failures that raise `crm_failures`. `LEADLEDGER_ALERT_CRM_FAILURES` (3, the seed's rule).
    public var crmFailures: Int = 3
    /// Oldest pending lead older than this raises `pending_too_old`. `LEADLEDGER_ALERT_PENDING_AGE_S` (600).
    public var pendingAgeSeconds: Int = 600
    /// Free disk under the log below this raises `disk_low`. `LEADLEDGER_ALERT_DISK_FREE_MB` (1024).
    public var diskFreeMegabytes: Int = 1024
    /// Memory above this share of the limit raises `memory_high`. `LEADLEDGER_ALERT_MEMORY_PERCENT` (80).
    public var memoryPercent: Int = 80
    /// Open descriptors above this share of a process's limit raise `descriptors_high`.
    /// `LEADLEDGER_ALERT_DESCRIPTORS_PERCENT` (80).
    public var descriptorsPercent: Int = 80
    /// The limit when the cgroup sets none (`memory.max` = `max`). `LEADLEDGER_MEMORY_LIMIT_MB` (1024).
    public var memoryLimitMegabytes: Int = 1024
    /// A projector with events past its checkpoint that has not advanced for this long raises `projector_stalled`.
    /// `LEADLEDGER_ALERT_PROJECTOR_STALL_S` (120).
    public var projectorStallSeconds: Int = 120
    /// Telegram's whole-request deadline, kept far below a supervisor's stop timeout.
    /// `LEADLEDGER_TELEGRAM_TIMEOUT_S` (15, 1–60).
    public var telegramTimeoutSeconds: Int = 15
    /// Telegram's connect deadline. `LEADLEDGER_TELEGRAM_CONNECT_TIMEOUT_S` (5, 1–30).
    public var telegramConnectTimeoutSeconds: Int = 5
    /// Repeats of a still-open condition reach Telegram at most once per this window per `dedupe_key`.
    /// `LEADLEDGER_ALERT_REPEAT_WINDOW_S` (600, 0–86400; 0 = milestones only).
    public var repeatWindowSeconds: Int = 600
    /// More than this many alerts due at once go out as one digest message. `LEADLEDGER_ALERT_DIGEST_OVER` (5, 1–100).
    public var digestOver: Int = 5
    /// Alerts older than this when Telegram first sees them (recorded before a bot was configured, or during a long
    /// Telegram outage) are recorded as suppressed instead of sent: old news must not bury the new.
    /// `LEADLEDGER_ALERT_MAX_AGE_S` (86400).
    public var maxAgeSeconds: Int = 86_400
    /// The language alert messages are written in when raised (`LEADLEDGER_LOCALE`, read by `LedgerSettings`).
    public var locale: AlertLocale = .ru

    public init() {}

    init(reader: inout SettingsReader) {
        checkSeconds = reader.integer("LEADLEDGER_ALERT_CHECK_S", default: 15, range: 1...3600)
        crmFailures = reader.integer("LEADLEDGER_ALERT_CRM_FAILURES", default: 3, range: 1...1000)
        pendingAgeSeconds = reader.integer("LEADLEDGER_ALERT_PENDING_AGE_S", default: 600, range: 10...86_400)
        diskFreeMegabytes = reader.integer("LEADLEDGER_ALERT_DISK_FREE_MB", default: 1024, range: 1...1_000_000)
        memoryPercent = reader.integer("LEADLEDGER_ALERT_MEMORY_PERCENT", default: 80, range: 10...99)
        descriptorsPercent = reader.integer("LEADLEDGER_ALERT_DESCRIPTORS_PERCENT", default: 80, range: 10...99)
        memoryLimitMegabytes = reader.integer("LEADLEDGER_MEMORY_LIMIT_MB", default: 1024, range: 16...1_000_000)
        projectorStallSeconds = reader.integer("LEADLEDGER_ALERT_PROJECTOR_STALL_S", default: 120, range: 10...86_400)
        telegramTimeoutSeconds = reader.integer("LEADLEDGER_TELEGRAM_TIMEOUT_S", default: 15, range: 1...60)
        telegramConnectTimeoutSeconds = reader.integer("LEADLEDGER_TELEGRAM_CONNECT_TIMEOUT_S", default: 5, range: 1...30)
        repeatWindowSeconds = reader.integer("LEADLEDGER_ALERT_REPEAT_WINDOW_S", default: 600, range: 0...86_400)
        digestOver = reader.integer("LEADLEDGER_ALERT_DIGEST_OVER", default: 5, range: 1...100)
        maxAgeSeconds = reader.integer("LEADLEDGER_ALERT_MAX_AGE_S", default: 86_400, range: 60...2_592_000)
    }
}
