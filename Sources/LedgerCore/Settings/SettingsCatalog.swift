/// Every setting with its default and meaning: the one list that `check-config` checks unknown keys against and that
/// `check-config --reference` prints into docs/OPERATIONS.md, so the runbook cannot drift from the code. A test
/// asks `LedgerSettings.load` which keys it reads and holds them equal to this list.
public enum SettingsCatalog {
    public struct Entry: Sendable, Equatable {
        public var key: String
        /// The value when unset, as an operator would write it; `—` when unset means "off".
        public var defaultValue: String
        public var meaning: String
        public var group: Group
    }

    public enum Group: String, Sendable, CaseIterable {
        case storage = "Log and storage"
        case http = "HTTP ingest"
        case forms = "Forms"
        case amoCRM = "AmoCRM"
        case telegram = "Telegram"
        case report = "Money, time and the nightly report"
        case alerts = "Alert rules"
    }

    private static func entry(_ group: Group, _ key: String, _ defaultValue: String, _ meaning: String) -> Entry {
        Entry(key: key, defaultValue: defaultValue, meaning: meaning, group: group)
    }

    public static let all: [Entry] = storage + http + forms + amoCRM + telegram + report + alerts

    static let storage = [
        entry(
            .storage, "LEADLEDGER_DB", "./data/ledger.sqlite",
            "the event log: a SQLite file (read models, tokens and reports live beside it) or a `postgres://` URL"),
        entry(
            .storage, "LEADLEDGER_BUSY_TIMEOUT_MS", "5000",
            "a writer waiting longer for another process's lock fails with `busy` (ingest answers 503)"),
        entry(
            .storage, "LEADLEDGER_DB_PASSWORD", "—",
            "PostgreSQL password when the `postgres://` URL carries none; never printed"),
        entry(.storage, "LEADLEDGER_DB_POOL_SIZE", "10", "most PostgreSQL connections a process holds"),
        entry(
            .storage, "LEADLEDGER_STATE_DIR", "./data",
            "with a `postgres://` log: where this host's own files live (read models, status files), as `postgres-ledger.*`"),
        entry(
            .storage, "LEADLEDGER_DB_STATEMENT_TIMEOUT_MS", "5000",
            "PostgreSQL cancels a statement running longer (a storage error, never a hang)"),
        entry(
            .storage, "LEADLEDGER_DB_OPERATION_TIMEOUT_MS", "10000",
            "the wait for a free PostgreSQL connection, and again for a started call to end (503, never a hang)"),
        entry(.storage, "LEADLEDGER_MAX_PAGE_SIZE", "10000", "largest `limit` of a read; larger ones are clamped"),
        entry(.storage, "LEADLEDGER_PROJECTION_BATCH", "2000", "events folded into the read models per transaction"),
        entry(.storage, "LEADLEDGER_GROUP_COMMIT_MAX_BATCH", "256", "leads per ingest transaction (one fsync each)"),
        entry(.storage, "LEADLEDGER_GROUP_COMMIT_MAX_QUEUED", "4096", "leads waiting for the disk; one more answers 503 at once"),
    ]

    static let http = [
        entry(.http, "LEADLEDGER_HOST", "127.0.0.1", "address `serve` (and `react`'s metrics) listen on"),
        entry(.http, "LEADLEDGER_PORT", "8080", "`serve`'s port; 0 picks a free one (printed at start)"),
        entry(.http, "LEADLEDGER_REACT_METRICS_PORT", "— (off)", "port of `react`'s own `/metrics`; 0 picks a free one"),
        entry(.http, "LEADLEDGER_ADMIN_TOKEN", "— (admin API off)", "bearer token of `/api/admin/*`, at least 16 characters"),
        entry(
            .http, "LEADLEDGER_CORS_ORIGINS", "— (no CORS headers)",
            "comma-separated origins allowed to `fetch()` `POST /api/leads` from a browser"),
        entry(
            .http, "LEADLEDGER_READ_QUEUE_MAX", "64",
            "dashboard, detailed health, `/metrics` and admin requests waiting their turn; one more answers 503"),
        entry(.http, "LEADLEDGER_MAX_BODY_BYTES", "65536", "largest ingest body; larger answers 413, writes nothing"),
        entry(.http, "LEADLEDGER_MAX_COMMENT_BYTES", "4000", "largest comment; larger answers 422 naming `comment`"),
        entry(.http, "LEADLEDGER_MAX_EXTRA_FIELDS", "32", "most unknown form fields kept per lead; more answers 422"),
        entry(
            .http, "LEADLEDGER_DUPLICATE_WINDOW_S", "10",
            "same contact and form again within this many seconds is a double submission (0 = off)"),
        entry(
            .http, "LEADLEDGER_RECENT_CONTACTS_MAX", "200000",
            "contacts kept in memory (~100 bytes each) for that check; an older one is found by a bounded log scan"),
        entry(
            .http, "LEADLEDGER_RATE_LIMIT_PER_MIN", "60",
            "ingest requests a minute per client IP (0 = off); more answers 429 with `Retry-After`"),
        entry(.http, "LEADLEDGER_RATE_LIMIT_BURST", "10", "requests a client IP may send at once under the rate limit"),
        entry(
            .http, "LEADLEDGER_TRUSTED_PROXIES", "— (none)",
            "comma-separated addresses or CIDR ranges whose `X-Forwarded-For` names the client"),
        entry(
            .http, "LEADLEDGER_HEADER_TIMEOUT_S", "10",
            "a request's headers must be complete this long after its first byte, or the connection is closed"),
        entry(.http, "LEADLEDGER_BODY_TIMEOUT_S", "30", "its body must be complete this long after its headers, or closed"),
        entry(.http, "LEADLEDGER_IDLE_TIMEOUT_S", "60", "a keep-alive connection without a next request is closed after this"),
        entry(.http, "LEADLEDGER_SEND_TIMEOUT_S", "30", "a response its client does not read is abandoned after this"),
        entry(
            .http, "LEADLEDGER_MAX_CONNECTIONS", "auto",
            "open connections at most (`auto`: the descriptor limit less the reserve); one more gets 503 and is closed"),
        entry(
            .http, "LEADLEDGER_MAX_CONNECTIONS_PER_IP", "32",
            "open connections per client address (IPv6: per /64; trusted proxies exempt); one more gets 503"),
        entry(
            .http, "LEADLEDGER_FD_RESERVE", "128",
            "descriptors kept from connections for the log, the read models and reports"),
        entry(.http, "LEADLEDGER_MAX_HEADERS", "100", "header lines per request; more answers 400 and closes"),
        entry(.http, "LEADLEDGER_MAX_HEADER_BYTES", "16384", "bytes of one request's headers; more answers 400 and closes"),
    ]

    static let forms = [
        entry(
            .forms, "LEADLEDGER_HONEYPOT_FIELD", "_honeypot",
            "hidden field bots fill in; filled, the lead is recorded as spam (`off` = off)"),
        entry(
            .forms, "LEADLEDGER_FORM_REDIRECT_URL", "— (answer JSON)",
            "where a plain HTML form post is sent (303) after its lead is recorded"),
        entry(.forms, "LEADLEDGER_REDIRECT_ORIGINS", "—", "comma-separated origins a form's own `_redirect` field may point at"),
    ]

    static let amoCRM = [
        entry(.amoCRM, "LEADLEDGER_AMOCRM_BASE_URL", "— (sync off: leads wait)", "the account, like `https://example.amocrm.ru`"),
        entry(.amoCRM, "LEADLEDGER_AMOCRM_TOKEN", "—", "long-lived token (secret); or the four OAuth settings below"),
        entry(.amoCRM, "LEADLEDGER_AMOCRM_CLIENT_ID", "—", "OAuth integration id"),
        entry(.amoCRM, "LEADLEDGER_AMOCRM_CLIENT_SECRET", "—", "OAuth secret (secret)"),
        entry(
            .amoCRM, "LEADLEDGER_AMOCRM_REFRESH_TOKEN", "—",
            "first OAuth refresh token (secret); later pairs are saved beside the log"),
        entry(.amoCRM, "LEADLEDGER_AMOCRM_REDIRECT_URI", "—", "OAuth redirect URI, exactly as in the integration"),
        entry(.amoCRM, "LEADLEDGER_AMOCRM_TIMEOUT_S", "30", "whole-request deadline of an AmoCRM call"),
        entry(.amoCRM, "LEADLEDGER_AMOCRM_CONNECT_TIMEOUT_S", "5", "connect deadline (at most the request deadline)"),
        entry(.amoCRM, "LEADLEDGER_AMOCRM_PIPELINE_ID", "— (main pipeline)", "pipeline new leads go to"),
        entry(.amoCRM, "LEADLEDGER_AMOCRM_STATUS_ID", "— (first stage)", "stage new leads go to"),
        entry(.amoCRM, "LEADLEDGER_AMOCRM_RESPONSIBLE_USER_ID", "— (integration owner)", "user new leads are assigned to"),
        entry(.amoCRM, "LEADLEDGER_AMOCRM_LEAD_NAME", "—", "start of every lead name; the ledger id follows it"),
        entry(.amoCRM, "LEADLEDGER_AMOCRM_TAGS", "—", "comma-separated tags added to every lead (at most 10)"),
        entry(
            .amoCRM, "LEADLEDGER_AMOCRM_FIELDS", "—",
            "`name=field_id,…`: ledger values (`ledger_id`, `utm_*`, `form_id`, `page_url`, `comment`) into custom fields"),
        entry(.amoCRM, "LEADLEDGER_AMOCRM_BATCH_SIZE", "50", "leads per create request (AmoCRM's maximum is 50)"),
        entry(
            .amoCRM, "LEADLEDGER_AMOCRM_CAUTIOUS_BATCH_SIZE", "10",
            "leads per request after an unknown outcome, until a create succeeds: one lost reply puts at most this many in doubt"),
        entry(.amoCRM, "LEADLEDGER_AMOCRM_RATE_PER_S", "7", "requests a second, AmoCRM's documented limit"),
        entry(
            .amoCRM, "LEADLEDGER_AMOCRM_RETRY_S", "30,60,120,300,600,1200,1800,3600 then 7200",
            "retry delays in seconds; the last repeats, for at least 72 h, ±10 % jitter"),
        entry(.amoCRM, "LEADLEDGER_AMOCRM_BREAKER_FAILURES", "5", "consecutive failures that open the circuit breaker"),
        entry(.amoCRM, "LEADLEDGER_AMOCRM_PROBE_S", "15", "first probe interval of an open breaker (doubles to 300 s)"),
        entry(
            .amoCRM, "LEADLEDGER_AMOCRM_BAN_PROBE_S", "900",
            "probe interval while AmoCRM refuses the account (402, 403 ban, opaque 400, an unknown configured id, a failed refresh)"
        ),
        entry(
            .amoCRM, "LEADLEDGER_AMOCRM_RECONCILE_PAGES", "4",
            "list calls (pages of 250 leads) one reconciliation of unknown outcomes may make"),
        entry(
            .amoCRM, "LEADLEDGER_AMOCRM_RECONCILE_CHECKS", "6",
            "reconciliations in a row that cannot decide before the leads wait for a human, with one alert"),
    ]

    static let telegram = [
        entry(.telegram, "LEADLEDGER_TELEGRAM_BOT_TOKEN", "— (alerts recorded, not sent)", "bot token `digits:letters` (secret)"),
        entry(.telegram, "LEADLEDGER_TELEGRAM_CHAT_ID", "—", "numeric chat id or `@channel` alerts go to"),
        entry(
            .telegram, "LEADLEDGER_TELEGRAM_API_URL", "https://api.telegram.org",
            "Bot API base (a local Bot API server or a test fake)"),
        entry(.telegram, "LEADLEDGER_TELEGRAM_TIMEOUT_S", "15", "whole-request deadline of a Telegram call (1–60)"),
        entry(.telegram, "LEADLEDGER_TELEGRAM_CONNECT_TIMEOUT_S", "5", "connect deadline of a Telegram call (1–30)"),
        entry(.telegram, "LEADLEDGER_LOCALE", "ru", "language of alerts, the dashboard and the report summary (`ru` or `en`)"),
    ]

    static let report = [
        entry(.report, "LEADLEDGER_LEAD_COST", "100", "what one lead cost in ad spend; every money figure is a count times this"),
        entry(.report, "LEADLEDGER_CURRENCY", "RUB", "ISO 4217 code of the lead cost"),
        entry(.report, "LEADLEDGER_TIMEZONE", "Europe/Moscow", "IANA zone of report days and \"today\" in health"),
        entry(.report, "LEADLEDGER_REPORT_AT", "09:00", "when `react` builds and sends yesterday's report"),
        entry(
            .report, "LEADLEDGER_REPORTS_DIR", "`reports` beside the log",
            "where the nightly reports are written, `YYYY-MM-DD.{md,csv,json,html}`"),
        entry(.report, "LEADLEDGER_DELIVERY_SLA_S", "300", "a lead delivered later than this after arrival counts as late"),
    ]

    static let alerts = [
        entry(.alerts, "LEADLEDGER_ALERT_CHECK_S", "15", "how often `react` evaluates the alert rules"),
        entry(.alerts, "LEADLEDGER_ALERT_CRM_FAILURES", "3", "consecutive AmoCRM failures that raise `crm_failures`"),
        entry(.alerts, "LEADLEDGER_ALERT_PENDING_AGE_S", "600", "oldest pending lead older than this raises `pending_too_old`"),
        entry(.alerts, "LEADLEDGER_ALERT_DISK_FREE_MB", "1024", "free disk under the log below this raises `disk_low`"),
        entry(.alerts, "LEADLEDGER_ALERT_MEMORY_PERCENT", "80", "memory above this share of the limit raises `memory_high`"),
        entry(
            .alerts, "LEADLEDGER_ALERT_DESCRIPTORS_PERCENT", "80",
            "open descriptors of `serve` or `react` above this share of the limit raise `descriptors_high`"),
        entry(.alerts, "LEADLEDGER_MEMORY_LIMIT_MB", "1024", "the memory limit when the cgroup sets none"),
        entry(
            .alerts, "LEADLEDGER_ALERT_PROJECTOR_STALL_S", "120",
            "a projector behind the log and still for this long raises `projector_stalled`"),
        entry(
            .alerts, "LEADLEDGER_ALERT_REPEAT_WINDOW_S", "600",
            "repeats of a still-open alert reach Telegram at most once per window (0 = milestones only)"),
        entry(.alerts, "LEADLEDGER_ALERT_DIGEST_OVER", "5", "more alerts due at once than this go out as one digest"),
        entry(
            .alerts, "LEADLEDGER_ALERT_MAX_AGE_S", "86400",
            "older alerts are recorded as suppressed, not sent, when Telegram first sees them"),
        entry(
            .alerts, "LEADLEDGER_ALERT_CRASH_LOOP_RESTARTS", "3",
            "restarts of `serve` or `react` within the window below that raise `crash_loop`"),
        entry(.alerts, "LEADLEDGER_ALERT_CRASH_LOOP_WINDOW_S", "600", "the crash-loop window"),
    ]

    /// The reference table for docs/OPERATIONS.md, grouped, in catalog order.
    public static func markdown() -> String {
        var text = ""
        for group in Group.allCases {
            let entries = all.filter { $0.group == group }
            guard !entries.isEmpty else { continue }
            text += "\n#### \(group.rawValue)\n\n| key | default | meaning |\n| --- | --- | --- |\n"
            for entry in entries {
                text += "| `\(entry.key)` | \(entry.defaultValue) | \(entry.meaning) |\n"
            }
        }
        return text
    }
}
