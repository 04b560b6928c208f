import Foundation

/// Every setting of LeadLedger, validated once at start. No code below `main` reads the environment.
///
/// Keys (environment names; a `--config` file uses the same names), defaults, and what they do:
/// - `LEADLEDGER_DB` (`./data/ledger.sqlite`): the event log file.
/// - `LEADLEDGER_HOST` / `LEADLEDGER_PORT` (`127.0.0.1` / `8080`): HTTP listen address; `LEADLEDGER_REACT_METRICS_PORT`
///   (unset: off) where `react` serves its own `/metrics`.
/// - `LEADLEDGER_ADMIN_TOKEN` (unset: admin API disabled): bearer token, at least 16 characters.
/// - `LEADLEDGER_AMOCRM_BASE_URL` (unset: CRM sync disabled) with `LEADLEDGER_AMOCRM_TOKEN`, or the OAuth set
///   `_CLIENT_ID`, `_CLIENT_SECRET`, `_REFRESH_TOKEN`, `_REDIRECT_URI`; `_TIMEOUT_S` (30), `_CONNECT_TIMEOUT_S` (5),
///   `_PIPELINE_ID`, `_STATUS_ID`, `_BATCH_SIZE` (50), `_CAUTIOUS_BATCH_SIZE` (10), `_RATE_PER_S` (7),
///   `_RETRY_S` (30,60,…,7200), `_BREAKER_FAILURES` (5), `_PROBE_S` (15), `_BAN_PROBE_S` (900), `_RECONCILE_PAGES` (4), `_RECONCILE_CHECKS` (6); where leads land:
///   `_RESPONSIBLE_USER_ID`, `_LEAD_NAME`, `_TAGS`, `_FIELDS` (see `AmoCRMLeadLayout`).
/// - `LEADLEDGER_TELEGRAM_BOT_TOKEN` + `LEADLEDGER_TELEGRAM_CHAT_ID` (unset: alerts recorded, not delivered);
///   `LEADLEDGER_TELEGRAM_API_URL` (`https://api.telegram.org`).
/// - `LEADLEDGER_LEAD_COST` (100), `LEADLEDGER_CURRENCY` (`RUB`), `LEADLEDGER_TIMEZONE` (`Europe/Moscow`),
///   `LEADLEDGER_REPORT_AT` (`09:00`), `LEADLEDGER_DELIVERY_SLA_S` (300), `LEADLEDGER_LOCALE` (`ru`),
///   `LEADLEDGER_REPORTS_DIR` (`reports` beside the log file).
/// - Limits: `LEADLEDGER_BUSY_TIMEOUT_MS` (5000), `LEADLEDGER_MAX_PAGE_SIZE` (10000),
///   `LEADLEDGER_PROJECTION_BATCH` (2000), `LEADLEDGER_DUPLICATE_WINDOW_S` (10; 0 = off),
///   `LEADLEDGER_RECENT_CONTACTS_MAX` (200000), `LEADLEDGER_READ_QUEUE_MAX` (64),
///   `LEADLEDGER_MAX_BODY_BYTES` (65536), `LEADLEDGER_MAX_COMMENT_BYTES` (4000), `LEADLEDGER_MAX_EXTRA_FIELDS` (32),
///   `LEADLEDGER_GROUP_COMMIT_MAX_BATCH` (256), `LEADLEDGER_GROUP_COMMIT_MAX_QUEUED` (4096),
///   `LEADLEDGER_RATE_LIMIT_PER_MIN` (60; 0 = off), `LEADLEDGER_RATE_LIMIT_BURST` (10).
/// - Front door: timeouts, connection caps, header bounds and trusted proxies in `FrontDoorSettings`.
/// - Forms: `LEADLEDGER_HONEYPOT_FIELD` (`_honeypot`; `off` = off), `LEADLEDGER_FORM_REDIRECT_URL` (unset),
///   `LEADLEDGER_REDIRECT_ORIGINS` (unset).
/// - Alerts: `LEADLEDGER_ALERT_CRASH_LOOP_RESTARTS` (3) restarts within `LEADLEDGER_ALERT_CRASH_LOOP_WINDOW_S` (600);
///   the rule thresholds in `AlertSettings`.
public struct LedgerSettings: Sendable {
    /// `LEADLEDGER_DB`: a SQLite file's path, or a PostgreSQL URL (see `backend`); a URL may carry a password, so
    /// this is never printed as it is.
    public var databasePath: String
    /// Which database `databasePath` names.
    public var backend: LogBackend
    /// Where this host's own files of the ledger live, as a path prefix: the read models (`.projections.sqlite`),
    /// `serve`'s and `react`'s status files, the Telegram chat file. A SQLite log keeps them beside itself (its own
    /// path); a PostgreSQL log under `LEADLEDGER_STATE_DIR` (`./data`), as `postgres-ledger.*`.
    public var localStateBase: String
    public var host: String
    public var port: Int
    public var adminToken: Secret?
    /// Nil when `LEADLEDGER_AMOCRM_BASE_URL` is unset: sync is disabled and leads wait in the queue.
    public var amoCRM: AmoCRMSettings?
    /// Nil when the bot token and chat id are unset: alerts are recorded but not delivered.
    public var telegram: TelegramSettings?
    public var leadCost: Decimal
    public var currency: String
    public var timeZone: TimeZone
    public var reportAt: (hour: Int, minute: Int)
    /// Where `react` writes the nightly report's files (`YYYY-MM-DD.md`, `.csv`, `.json`, `.html`).
    public var reportsDirectory: String
    public var deliverySLASeconds: Int64
    public var locale: String
    public var busyTimeoutMilliseconds: Int
    /// How a PostgreSQL ledger is reached (`LEADLEDGER_DB_*`).
    public var postgres: PostgresSettings
    public var maxPageSize: Int
    public var projectionBatchSize: Int
    /// Same contact and form again within this many seconds is a double submission, not a new lead; 0 turns it off.
    public var duplicateWindowSeconds: Int
    /// Dashboard, detailed-health, metrics and admin requests waiting for `serve`'s read lane.
    public var readQueueMax: Int
    /// Contact fingerprints kept in memory for live double-submission checks.
    public var recentContactsMax: Int
    /// Origins allowed to `fetch()` the ingest endpoint from a browser; empty = no CORS headers.
    public var corsOrigins: [String]
    /// Ingest bounds: request body (413 above it), comment field and unknown form fields (422 above them).
    public var maxBodyBytes: Int
    public var maxCommentBytes: Int
    public var maxExtraFields: Int
    /// Group commit: leads per transaction, and leads waiting for the disk before ingest answers 503.
    public var groupCommitMaxBatch: Int
    public var groupCommitMaxQueued: Int
    /// Per-client-IP limit on ingest: requests a minute (0 = off) and the burst allowed at once.
    public var rateLimitPerMinute: Int
    public var rateLimitBurst: Int
    /// A hidden form field bots fill in and people never see; filled in, the lead is recorded as spam. Empty = off.
    public var honeypotField: String
    /// Where a plain HTML form post is sent (303) after its lead is recorded; nil = answer JSON.
    public var formRedirectURL: URL?
    /// Origins a form's own `_redirect` field may point at (the redirect URL's origin is always allowed).
    public var redirectOrigins: [String]
    /// A crash loop: this many restarts of `serve` or `react` within `crashLoopWindowSeconds` raise a critical alert.
    public var crashLoopRestarts: Int
    public var crashLoopWindowSeconds: Int
    /// Thresholds of the alert rules `react` evaluates.
    public var alerts: AlertSettings
    /// Timeouts, connection caps and header bounds of `serve`'s HTTP front door, and the trusted proxies.
    public var frontDoor: FrontDoorSettings
    /// Where `react` serves its own `/metrics` (on `host`); nil = not served, 0 = any free port (printed at start).
    public var reactMetricsPort: Int?

    /// Every key LeadLedger reads; `check-config` flags unknown `LEADLEDGER_*` variables (likely typos) against it.
    public static let knownKeys: Set<String> = Set(SettingsCatalog.all.map(\.key))

    /// Validates every setting from `raw` (a lookup by environment name). Throws one `SettingsError` listing every
    /// problem, each naming its key.
    public static func load(_ raw: @escaping (String) -> String?) throws(SettingsError) -> LedgerSettings {
        var reader = SettingsReader(raw: raw)
        let settings = LedgerSettings(reader: &reader)
        guard reader.problems.isEmpty else { throw SettingsError(problems: reader.problems) }
        return settings
    }

    private init(reader: inout SettingsReader) {
        databasePath = reader.string("LEADLEDGER_DB") ?? "./data/ledger.sqlite"
        backend = LogBackend(databaseSetting: databasePath)
        let stateDirectory = reader.string("LEADLEDGER_STATE_DIR") ?? "./data"
        if stateDirectory.isEmpty || stateDirectory.utf8.count > 4000
            || stateDirectory.unicodeScalars.contains(where: { $0.value < 0x20 })
        {
            reader.problem("LEADLEDGER_STATE_DIR", "must be a directory path of at most 4000 bytes without control characters")
        }
        localStateBase =
            backend == .sqlite
            ? databasePath : URL(fileURLWithPath: stateDirectory).appendingPathComponent("postgres-ledger").path
        host = reader.string("LEADLEDGER_HOST") ?? "127.0.0.1"
        port = reader.integer("LEADLEDGER_PORT", default: 8080, range: 0...65535)
        adminToken = reader.secret("LEADLEDGER_ADMIN_TOKEN", minimumLength: 16)
        amoCRM = AmoCRMSettings(reader: &reader)
        telegram = TelegramSettings(reader: &reader)

        let costText = reader.string("LEADLEDGER_LEAD_COST") ?? "100"
        if let cost = Decimal(string: costText, locale: Locale(identifier: "en_US_POSIX")), cost >= 0,
            costText.allSatisfy({ $0.isNumber || $0 == "." })
        {
            leadCost = cost
        } else {
            reader.problem("LEADLEDGER_LEAD_COST", "must be a non-negative number like 100 or 99.50, got \"\(costText)\"")
            leadCost = 100
        }
        let currencyText = reader.string("LEADLEDGER_CURRENCY") ?? "RUB"
        currency = currencyText
        if currencyText.count != 3 || !currencyText.allSatisfy({ $0.isASCII && $0.isUppercase }) {
            reader.problem("LEADLEDGER_CURRENCY", "must be a three-letter ISO 4217 code like RUB, got \"\(currencyText)\"")
        }
        let zoneText = reader.string("LEADLEDGER_TIMEZONE") ?? "Europe/Moscow"
        if let zone = TimeZone(identifier: zoneText) {
            timeZone = zone
        } else {
            reader.problem("LEADLEDGER_TIMEZONE", "unknown time zone \"\(zoneText)\" (use an IANA name like Europe/Moscow)")
            timeZone = TimeZone(secondsFromGMT: 3 * 3600) ?? .current
        }
        let atText = reader.string("LEADLEDGER_REPORT_AT") ?? "09:00"
        if let parsed = Self.parseClockTime(atText) {
            reportAt = parsed
        } else {
            reader.problem("LEADLEDGER_REPORT_AT", "must be a time of day HH:MM like 09:00, got \"\(atText)\"")
            reportAt = (9, 0)
        }
        // Beside a SQLite log by default: the one directory `react` is already known to write.
        let defaultReports =
            backend == .sqlite
            ? URL(fileURLWithPath: databasePath).deletingLastPathComponent().appendingPathComponent("reports").path
            : "./data/reports"
        reportsDirectory = reader.string("LEADLEDGER_REPORTS_DIR") ?? defaultReports
        if reportsDirectory.utf8.count > 4096 || reportsDirectory.unicodeScalars.contains(where: { $0.value < 0x20 }) {
            reader.problem("LEADLEDGER_REPORTS_DIR", "must be a directory path of at most 4096 bytes without control characters")
        }
        deliverySLASeconds = Int64(reader.integer("LEADLEDGER_DELIVERY_SLA_S", default: 300, range: 1...86_400))
        locale = reader.string("LEADLEDGER_LOCALE") ?? "ru"
        if !["ru", "en"].contains(locale) {
            reader.problem("LEADLEDGER_LOCALE", "must be ru or en, got \"\(locale)\"")
        }
        busyTimeoutMilliseconds = reader.integer("LEADLEDGER_BUSY_TIMEOUT_MS", default: 5000, range: 0...600_000)
        postgres = PostgresSettings(&reader)
        maxPageSize = reader.integer("LEADLEDGER_MAX_PAGE_SIZE", default: 10_000, range: 1...1_000_000)
        projectionBatchSize = reader.integer("LEADLEDGER_PROJECTION_BATCH", default: 2000, range: 1...100_000)
        duplicateWindowSeconds = reader.integer("LEADLEDGER_DUPLICATE_WINDOW_S", default: 10, range: 0...86_400)
        readQueueMax = reader.integer("LEADLEDGER_READ_QUEUE_MAX", default: 64, range: 1...10_000)
        recentContactsMax = reader.integer("LEADLEDGER_RECENT_CONTACTS_MAX", default: 200_000, range: 1000...10_000_000)
        maxBodyBytes = reader.integer("LEADLEDGER_MAX_BODY_BYTES", default: 65_536, range: 1024...16_777_216)
        maxCommentBytes = reader.integer("LEADLEDGER_MAX_COMMENT_BYTES", default: 4000, range: 1...65_536)
        maxExtraFields = reader.integer("LEADLEDGER_MAX_EXTRA_FIELDS", default: 32, range: 0...1000)
        groupCommitMaxBatch = reader.integer("LEADLEDGER_GROUP_COMMIT_MAX_BATCH", default: 256, range: 1...10_000)
        groupCommitMaxQueued = reader.integer("LEADLEDGER_GROUP_COMMIT_MAX_QUEUED", default: 4096, range: 1...1_000_000)
        rateLimitPerMinute = reader.integer("LEADLEDGER_RATE_LIMIT_PER_MIN", default: 60, range: 0...1_000_000)
        rateLimitBurst = reader.integer("LEADLEDGER_RATE_LIMIT_BURST", default: 10, range: 1...100_000)
        corsOrigins = Self.origins("LEADLEDGER_CORS_ORIGINS", &reader)
        redirectOrigins = Self.origins("LEADLEDGER_REDIRECT_ORIGINS", &reader)
        crashLoopRestarts = reader.integer("LEADLEDGER_ALERT_CRASH_LOOP_RESTARTS", default: 3, range: 2...100)
        crashLoopWindowSeconds = reader.integer("LEADLEDGER_ALERT_CRASH_LOOP_WINDOW_S", default: 600, range: 60...86_400)
        alerts = AlertSettings(reader: &reader)
        alerts.locale = AlertLocale(rawValue: locale) ?? .ru
        frontDoor = FrontDoorSettings(reader: &reader)
        reactMetricsPort = reader.optionalInteger("LEADLEDGER_REACT_METRICS_PORT", range: 0...65535).map { Int($0) }
        // An unset variable and an empty one read the same, so turning the honeypot off takes a word.
        let honeypot = reader.string("LEADLEDGER_HONEYPOT_FIELD") ?? "_honeypot"
        honeypotField = honeypot == "off" ? "" : honeypot
        if honeypotField.utf8.count > 128 || honeypotField.unicodeScalars.contains(where: { $0.value < 0x20 }) {
            reader.problem("LEADLEDGER_HONEYPOT_FIELD", "must be a form field name of at most 128 bytes")
        }
        formRedirectURL = nil
        if let text = reader.string("LEADLEDGER_FORM_REDIRECT_URL") {
            if let url = URL(string: text), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil {
                formRedirectURL = url
            } else {
                reader.problem("LEADLEDGER_FORM_REDIRECT_URL", "\"\(text)\" is not an absolute http(s) URL")
            }
        }
    }

    /// A comma-separated list of origins (`https://landing.example.ru`), each checked.
    private static func origins(_ key: String, _ reader: inout SettingsReader) -> [String] {
        let origins = (reader.string(key) ?? "").split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        for origin in origins {
            guard let url = URL(string: origin), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil,
                url.path.isEmpty, url.query == nil
            else {
                reader.problem(key, "\"\(origin)\" is not an origin like https://landing.example.ru")
                continue
            }
        }
        return origins
    }

    static func parseClockTime(_ text: String) -> (hour: Int, minute: Int)? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]),
            (0...23).contains(hour), (0...59).contains(minute)
        else { return nil }
        return (hour, minute)
    }
}

/// AmoCRM connection. Present only when `LEADLEDGER_AMOCRM_BASE_URL` is set, and then complete.
public struct AmoCRMSettings: Sendable {
    public enum Authentication: Sendable {
        case longLivedToken(Secret)
        case oauth(clientID: String, clientSecret: Secret, refreshToken: Secret, redirectURI: URL)
    }

    public var baseURL: URL
    public var authentication: Authentication
    public var timeoutSeconds: Int
    public var connectTimeoutSeconds: Int
    public var pipelineID: Int64?
    public var statusID: Int64?
    /// Owner, name, tags and custom fields of each created lead.
    public var layout: AmoCRMLeadLayout
    /// Leads per `leads/complex` request (AmoCRM takes at most 50).
    public var batchSize: Int
    /// Leads per request after an unknown outcome, until a create succeeds again (at most `batchSize`).
    public var cautiousBatchSize: Int
    /// Every AmoCRM call (creates, searches, probes, token refreshes) stays under this many per second.
    public var requestsPerSecond: Int
    /// Delays between attempts, in seconds; the last one repeats until the schedule spans at least 72 hours. Nil:
    /// the reactor's standard table (`RetrySchedule.standard`, the one place it is written down).
    public var retryDelaysSeconds: [Int]?
    /// Consecutive failures that open the circuit breaker, and the first probe interval once it is open.
    public var breakerFailures: Int
    public var probeSeconds: Int
    /// Probe interval after a 403 (an account or IP ban): rare, because hammering prolongs a ban.
    public var banProbeSeconds: Int
    /// List calls one reconciliation of unknown outcomes may make: every page of every window counts.
    public var reconcilePages: Int
    /// Reconciliations in a row that could not decide before the leads wait for a human, with one alert naming them.
    public var reconcileChecks: Int

    init?(reader: inout SettingsReader) {
        let base = reader.url("LEADLEDGER_AMOCRM_BASE_URL")
        let token = reader.secret("LEADLEDGER_AMOCRM_TOKEN")
        let clientID = reader.string("LEADLEDGER_AMOCRM_CLIENT_ID")
        let clientSecret = reader.secret("LEADLEDGER_AMOCRM_CLIENT_SECRET")
        let refreshToken = reader.secret("LEADLEDGER_AMOCRM_REFRESH_TOKEN")
        let redirect = reader.url("LEADLEDGER_AMOCRM_REDIRECT_URI")
        let timeout = reader.integer("LEADLEDGER_AMOCRM_TIMEOUT_S", default: 30, range: 1...600)
        let connect = reader.integer("LEADLEDGER_AMOCRM_CONNECT_TIMEOUT_S", default: 5, range: 1...120)
        let pipeline = reader.optionalInteger("LEADLEDGER_AMOCRM_PIPELINE_ID", range: 1...Int64.max)
        let status = reader.optionalInteger("LEADLEDGER_AMOCRM_STATUS_ID", range: 1...Int64.max)
        let layout = AmoCRMLeadLayout(reader: &reader)
        let batch = reader.integer("LEADLEDGER_AMOCRM_BATCH_SIZE", default: 50, range: 1...50)
        let cautious = reader.integer("LEADLEDGER_AMOCRM_CAUTIOUS_BATCH_SIZE", default: 10, range: 1...50)
        let rate = reader.integer("LEADLEDGER_AMOCRM_RATE_PER_S", default: 7, range: 1...50)
        let breaker = reader.integer("LEADLEDGER_AMOCRM_BREAKER_FAILURES", default: 5, range: 1...1000)
        let probe = reader.integer("LEADLEDGER_AMOCRM_PROBE_S", default: 15, range: 1...3600)
        let banProbe = reader.integer("LEADLEDGER_AMOCRM_BAN_PROBE_S", default: 900, range: 1...86_400)
        let pages = reader.integer("LEADLEDGER_AMOCRM_RECONCILE_PAGES", default: 4, range: 1...40)
        let checks = reader.integer("LEADLEDGER_AMOCRM_RECONCILE_CHECKS", default: 6, range: 1...100)
        var retry: [Int]?
        if let text = reader.string("LEADLEDGER_AMOCRM_RETRY_S") {
            let parsed = text.split(separator: ",", omittingEmptySubsequences: false).map {
                Int($0.trimmingCharacters(in: .whitespaces))
            }
            if !parsed.isEmpty, parsed.count <= 64, parsed.allSatisfy({ ($0 ?? 0) >= 1 && ($0 ?? 0) <= 86_400 }) {
                retry = parsed.compactMap { $0 }
            } else {
                reader.problem(
                    "LEADLEDGER_AMOCRM_RETRY_S",
                    "must be 1 to 64 comma-separated delays in seconds (1 to 86400), like 30,60,120; got \"\(text)\"")
            }
        }
        if connect > timeout {
            reader.problem(
                "LEADLEDGER_AMOCRM_CONNECT_TIMEOUT_S", "(\(connect)) must not exceed LEADLEDGER_AMOCRM_TIMEOUT_S (\(timeout))")
        }
        let oauthParts: [(String, Bool)] = [
            ("LEADLEDGER_AMOCRM_CLIENT_ID", clientID != nil), ("LEADLEDGER_AMOCRM_CLIENT_SECRET", clientSecret != nil),
            ("LEADLEDGER_AMOCRM_REFRESH_TOKEN", refreshToken != nil), ("LEADLEDGER_AMOCRM_REDIRECT_URI", redirect != nil),
        ]
        let anyOAuth = oauthParts.contains { $0.1 }
        guard reader.string("LEADLEDGER_AMOCRM_BASE_URL") != nil else {
            if token != nil || anyOAuth {
                reader.problem("LEADLEDGER_AMOCRM_BASE_URL", "is not set, but AmoCRM credentials are: set it or remove them")
            }
            return nil
        }
        guard let base else { return nil }
        if let token {
            if anyOAuth {
                reader.problem("LEADLEDGER_AMOCRM_TOKEN", "set together with OAuth settings: use one way to authenticate")
                return nil
            }
            authentication = .longLivedToken(token)
        } else if let clientID, let clientSecret, let refreshToken, let redirect {
            authentication = .oauth(
                clientID: clientID, clientSecret: clientSecret, refreshToken: refreshToken, redirectURI: redirect)
        } else if anyOAuth {
            for (key, present) in oauthParts where !present {
                reader.problem(key, "is required with the other AmoCRM OAuth settings")
            }
            return nil
        } else {
            reader.problem(
                "LEADLEDGER_AMOCRM_TOKEN",
                "is required when LEADLEDGER_AMOCRM_BASE_URL is set (or the OAuth settings LEADLEDGER_AMOCRM_CLIENT_ID, _CLIENT_SECRET, _REFRESH_TOKEN, _REDIRECT_URI)"
            )
            return nil
        }
        baseURL = base
        timeoutSeconds = timeout
        connectTimeoutSeconds = connect
        pipelineID = pipeline
        statusID = status
        self.layout = layout
        batchSize = batch
        cautiousBatchSize = min(cautious, batch)
        requestsPerSecond = rate
        retryDelaysSeconds = retry
        breakerFailures = breaker
        probeSeconds = probe
        banProbeSeconds = banProbe
        reconcilePages = pages
        reconcileChecks = checks
    }
}

/// Telegram alert delivery. Present only when both the bot token and the chat id are set.
public struct TelegramSettings: Sendable {
    public var botToken: Secret
    public var chatID: String
    public var apiURL: URL

    init?(reader: inout SettingsReader) {
        let token = reader.secret("LEADLEDGER_TELEGRAM_BOT_TOKEN")
        let chat = reader.string("LEADLEDGER_TELEGRAM_CHAT_ID")
        let api = reader.url("LEADLEDGER_TELEGRAM_API_URL", default: "https://api.telegram.org")
        if let token, token.value.range(of: #"^[0-9]+:[A-Za-z0-9_-]+$"#, options: .regularExpression) == nil {
            reader.problem("LEADLEDGER_TELEGRAM_BOT_TOKEN", "does not look like a bot token (digits:letters)")
        }
        if let chat, chat.range(of: #"^(-?[0-9]+|@[A-Za-z0-9_]{5,})$"#, options: .regularExpression) == nil {
            reader.problem("LEADLEDGER_TELEGRAM_CHAT_ID", "must be a numeric chat id or @channelname, got \"\(chat)\"")
        } else if let chat, !chat.hasPrefix("@"), Int64(chat) == nil {
            reader.problem("LEADLEDGER_TELEGRAM_CHAT_ID", "is out of range for a chat id (64-bit), got \"\(chat)\"")
        }
        switch (token, chat) {
        case (nil, nil):
            return nil
        case (nil, _):
            reader.problem("LEADLEDGER_TELEGRAM_BOT_TOKEN", "is required when LEADLEDGER_TELEGRAM_CHAT_ID is set")
            return nil
        case (_, nil):
            reader.problem("LEADLEDGER_TELEGRAM_CHAT_ID", "is required when LEADLEDGER_TELEGRAM_BOT_TOKEN is set")
            return nil
        case (let token?, let chat?):
            guard let api else { return nil }
            botToken = token
            chatID = chat
            apiURL = api
        }
    }
}

/// The PostgreSQL connection's secret and bounds. The URL itself is `LEADLEDGER_DB` (or `migrate --to`).
public struct PostgresSettings: Sendable, CustomStringConvertible {
    /// `LEADLEDGER_DB_PASSWORD`: used when the URL carries no password, so it need not sit in a URL.
    public var password: Secret?
    public var poolSize: Int
    public var statementTimeoutMilliseconds: Int
    public var operationTimeoutMilliseconds: Int

    init(_ reader: inout SettingsReader) {
        password = reader.secret("LEADLEDGER_DB_PASSWORD")
        poolSize = reader.integer("LEADLEDGER_DB_POOL_SIZE", default: 10, range: 1...200)
        statementTimeoutMilliseconds = reader.integer(
            "LEADLEDGER_DB_STATEMENT_TIMEOUT_MS", default: 5000, range: 100...600_000)
        operationTimeoutMilliseconds = reader.integer(
            "LEADLEDGER_DB_OPERATION_TIMEOUT_MS", default: 10_000, range: 500...600_000)
    }

    /// Never shows the password: `Secret` prints `<redacted>`.
    public var description: String {
        "PostgresSettings(password: \(password.map(String.init(describing:)) ?? "nil"), poolSize: \(poolSize), "
            + "statementTimeoutMilliseconds: \(statementTimeoutMilliseconds), "
            + "operationTimeoutMilliseconds: \(operationTimeoutMilliseconds))"
    }
}
