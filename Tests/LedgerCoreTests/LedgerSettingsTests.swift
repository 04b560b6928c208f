import Foundation
import LedgerCore
import Testing

struct LedgerSettingsTests {
    private func load(_ values: [String: String]) throws(SettingsError) -> LedgerSettings {
        try LedgerSettings.load { values[$0] }
    }

    private func problems(_ values: [String: String]) -> [SettingsProblem] {
        do {
            _ = try load(values)
            return []
        } catch {
            return error.problems
        }
    }

    @Test func emptyEnvironmentGivesTheDocumentedDefaults() throws {
        let settings = try load([:])
        #expect(settings.databasePath == "./data/ledger.sqlite")
        #expect(settings.host == "127.0.0.1")
        #expect(settings.port == 8080)
        #expect(settings.adminToken == nil)
        #expect(settings.amoCRM == nil)
        #expect(settings.telegram == nil)
        #expect(settings.leadCost == 100)
        #expect(settings.currency == "RUB")
        #expect(settings.timeZone.identifier == "Europe/Moscow")
        #expect(settings.reportAt == (9, 0))
        #expect(settings.deliverySLASeconds == 300)
        #expect(settings.busyTimeoutMilliseconds == 5000)
    }

    @Test func theCautiousBatchAfterAnUnknownOutcomeIsBoundedAndNeverAboveTheBatch() throws {
        let crm = ["LEADLEDGER_AMOCRM_BASE_URL": "https://example.amocrm.ru", "LEADLEDGER_AMOCRM_TOKEN": "t"]
        #expect(try load(crm).amoCRM?.cautiousBatchSize == 10)
        #expect(try load(crm.merging(["LEADLEDGER_AMOCRM_CAUTIOUS_BATCH_SIZE": "1"]) { $1 }).amoCRM?.cautiousBatchSize == 1)
        #expect(try load(crm.merging(["LEADLEDGER_AMOCRM_CAUTIOUS_BATCH_SIZE": "50"]) { $1 }).amoCRM?.cautiousBatchSize == 50)
        for bad in ["0", "51", "ten"] {
            #expect(
                problems(crm.merging(["LEADLEDGER_AMOCRM_CAUTIOUS_BATCH_SIZE": bad]) { $1 }).map(\.key)
                    == ["LEADLEDGER_AMOCRM_CAUTIOUS_BATCH_SIZE"])
        }
        let small = crm.merging(["LEADLEDGER_AMOCRM_BATCH_SIZE": "5", "LEADLEDGER_AMOCRM_CAUTIOUS_BATCH_SIZE": "20"]) { $1 }
        #expect(try load(small).amoCRM?.cautiousBatchSize == 5, "never more than a whole batch")
    }

    @Test func everyProblemIsReportedAtOnceByKey() {
        let found = problems([
            "LEADLEDGER_PORT": "80a", "LEADLEDGER_LEAD_COST": "-5", "LEADLEDGER_TIMEZONE": "Nowhere/City",
            "LEADLEDGER_REPORT_AT": "25:00", "LEADLEDGER_CURRENCY": "rub", "LEADLEDGER_AMOCRM_BASE_URL": "ftp://x",
        ])
        #expect(
            Set(found.map(\.key)) == [
                "LEADLEDGER_PORT", "LEADLEDGER_LEAD_COST", "LEADLEDGER_TIMEZONE", "LEADLEDGER_REPORT_AT", "LEADLEDGER_CURRENCY",
                "LEADLEDGER_AMOCRM_BASE_URL",
            ])
    }

    @Test func corsOriginsMustBeBareOrigins() throws {
        let settings = try load(["LEADLEDGER_CORS_ORIGINS": "https://a.example.ru, http://b.example.ru:8080"])
        #expect(settings.corsOrigins == ["https://a.example.ru", "http://b.example.ru:8080"])
        #expect(problems(["LEADLEDGER_CORS_ORIGINS": "https://a.example.ru/landing"]).map(\.key) == ["LEADLEDGER_CORS_ORIGINS"])
        #expect(problems(["LEADLEDGER_CORS_ORIGINS": "*"]).map(\.key) == ["LEADLEDGER_CORS_ORIGINS"])
    }

    @Test func ingestLimitsHaveBoundsOnBothSides() {
        #expect(problems(["LEADLEDGER_MAX_BODY_BYTES": "1024"]).isEmpty)
        #expect(problems(["LEADLEDGER_MAX_BODY_BYTES": "1023"]).map(\.key) == ["LEADLEDGER_MAX_BODY_BYTES"])
        #expect(problems(["LEADLEDGER_GROUP_COMMIT_MAX_BATCH": "10000"]).isEmpty)
        #expect(problems(["LEADLEDGER_GROUP_COMMIT_MAX_BATCH": "10001"]).map(\.key) == ["LEADLEDGER_GROUP_COMMIT_MAX_BATCH"])
        #expect(problems(["LEADLEDGER_GROUP_COMMIT_MAX_QUEUED": "0"]).map(\.key) == ["LEADLEDGER_GROUP_COMMIT_MAX_QUEUED"])
    }

    @Test func portBoundsAreInclusive() {
        #expect(problems(["LEADLEDGER_PORT": "65535"]).isEmpty)
        #expect(problems(["LEADLEDGER_PORT": "65536"]).map(\.key) == ["LEADLEDGER_PORT"])
    }

    @Test func amoCRMNeedsCredentialsWhenItsURLIsSet() throws {
        #expect(problems(["LEADLEDGER_AMOCRM_BASE_URL": "https://acme.amocrm.ru"]).map(\.key) == ["LEADLEDGER_AMOCRM_TOKEN"])
        let settings = try load(["LEADLEDGER_AMOCRM_BASE_URL": "https://acme.amocrm.ru", "LEADLEDGER_AMOCRM_TOKEN": "tok"])
        #expect(settings.amoCRM?.baseURL.host == "acme.amocrm.ru")
        #expect(settings.amoCRM?.timeoutSeconds == 30)
        #expect(settings.amoCRM?.connectTimeoutSeconds == 5)
    }

    @Test func reactorLimitsHaveBoundsOnBothSides() throws {
        let crm = ["LEADLEDGER_AMOCRM_BASE_URL": "https://acme.amocrm.ru", "LEADLEDGER_AMOCRM_TOKEN": "tok"]
        func keys(_ extra: [String: String]) -> [String] { problems(crm.merging(extra) { $1 }).map(\.key) }
        #expect(try load(crm).amoCRM?.retryDelaysSeconds == nil, "unset: the reactor's standard table")
        #expect(
            try load(crm.merging(["LEADLEDGER_AMOCRM_RETRY_S": "1, 5,86400"]) { $1 }).amoCRM?.retryDelaysSeconds == [
                1, 5, 86_400,
            ])
        for bad in ["0", "86401", "abc", "5,,6", Array(repeating: "1", count: 65).joined(separator: ",")] {
            #expect(keys(["LEADLEDGER_AMOCRM_RETRY_S": bad]) == ["LEADLEDGER_AMOCRM_RETRY_S"], "\(bad)")
        }
        #expect(keys(["LEADLEDGER_AMOCRM_RETRY_S": Array(repeating: "1", count: 64).joined(separator: ",")]).isEmpty)
        #expect(keys(["LEADLEDGER_AMOCRM_BATCH_SIZE": "50"]).isEmpty)
        #expect(keys(["LEADLEDGER_AMOCRM_BATCH_SIZE": "51"]) == ["LEADLEDGER_AMOCRM_BATCH_SIZE"])
        #expect(keys(["LEADLEDGER_AMOCRM_RATE_PER_S": "0"]) == ["LEADLEDGER_AMOCRM_RATE_PER_S"])
        #expect(keys(["LEADLEDGER_AMOCRM_RATE_PER_S": "1"]).isEmpty)
    }

    @Test func leadLayoutMapsLedgerValuesToCustomFieldsAndRefusesAmbiguousMaps() throws {
        let crm = ["LEADLEDGER_AMOCRM_BASE_URL": "https://acme.amocrm.ru", "LEADLEDGER_AMOCRM_TOKEN": "tok"]
        func keys(_ extra: [String: String]) -> [String] { problems(crm.merging(extra) { $1 }).map(\.key) }
        let layout = try #require(
            try load(
                crm.merging([
                    "LEADLEDGER_AMOCRM_FIELDS": " comment = 512345,utm_source=512346 ", "LEADLEDGER_AMOCRM_TAGS": "a, b ,",
                    "LEADLEDGER_AMOCRM_LEAD_NAME": "Лид", "LEADLEDGER_AMOCRM_RESPONSIBLE_USER_ID": "77",
                ]) { $1 }
            ).amoCRM?.layout)
        #expect(layout.fieldIDs == [.comment: 512_345, .utmSource: 512_346])
        #expect(layout.tags == ["a", "b"])
        #expect(layout.namePrefix == "Лид" && layout.responsibleUserID == 77)
        #expect(try load(crm).amoCRM?.layout == AmoCRMLeadLayout(), "all optional")
        for bad in ["comment", "comment=0", "comment=x", "notes=5", "comment=5,comment=6", "comment=5,page_url=5", "comment=5,"] {
            #expect(keys(["LEADLEDGER_AMOCRM_FIELDS": bad]) == ["LEADLEDGER_AMOCRM_FIELDS"], "\(bad)")
        }
        let tenTags = (1...10).map { "t\($0)" }.joined(separator: ",")
        #expect(keys(["LEADLEDGER_AMOCRM_TAGS": tenTags]).isEmpty)
        #expect(keys(["LEADLEDGER_AMOCRM_TAGS": tenTags + ",t11"]) == ["LEADLEDGER_AMOCRM_TAGS"])
        #expect(keys(["LEADLEDGER_AMOCRM_TAGS": String(repeating: "я", count: 100)]).isEmpty)
        #expect(keys(["LEADLEDGER_AMOCRM_TAGS": String(repeating: "я", count: 101)]) == ["LEADLEDGER_AMOCRM_TAGS"])
        #expect(keys(["LEADLEDGER_AMOCRM_LEAD_NAME": String(repeating: "я", count: 100)]).isEmpty)
        #expect(keys(["LEADLEDGER_AMOCRM_LEAD_NAME": String(repeating: "я", count: 101)]) == ["LEADLEDGER_AMOCRM_LEAD_NAME"])
        #expect(keys(["LEADLEDGER_AMOCRM_RESPONSIBLE_USER_ID": "0"]) == ["LEADLEDGER_AMOCRM_RESPONSIBLE_USER_ID"])
    }

    @Test func crashLoopThresholdsHaveBoundsOnBothSides() throws {
        #expect(try load([:]).crashLoopRestarts == 3)
        #expect(try load([:]).crashLoopWindowSeconds == 600)
        for (key, low, high) in [
            ("LEADLEDGER_ALERT_CRASH_LOOP_RESTARTS", 2, 100), ("LEADLEDGER_ALERT_CRASH_LOOP_WINDOW_S", 60, 86_400),
        ] {
            #expect(problems([key: "\(low)"]).isEmpty && problems([key: "\(high)"]).isEmpty, "\(key)")
            #expect(problems([key: "\(low - 1)"]).map(\.key) == [key])
            #expect(problems([key: "\(high + 1)"]).map(\.key) == [key])
        }
    }

    @Test func alertThresholdsHaveBoundsOnBothSides() throws {
        #expect(try load([:]).alerts == AlertSettings())
        for (key, low, high) in [
            ("LEADLEDGER_ALERT_CHECK_S", 1, 3600), ("LEADLEDGER_ALERT_CRM_FAILURES", 1, 1000),
            ("LEADLEDGER_ALERT_PENDING_AGE_S", 10, 86_400), ("LEADLEDGER_ALERT_DISK_FREE_MB", 1, 1_000_000),
            ("LEADLEDGER_ALERT_MEMORY_PERCENT", 10, 99), ("LEADLEDGER_MEMORY_LIMIT_MB", 16, 1_000_000),
            ("LEADLEDGER_ALERT_PROJECTOR_STALL_S", 10, 86_400),
        ] {
            #expect(problems([key: "\(low)"]).isEmpty && problems([key: "\(high)"]).isEmpty, "\(key)")
            #expect(problems([key: "\(low - 1)"]).map(\.key) == [key])
            #expect(problems([key: "\(high + 1)"]).map(\.key) == [key])
        }
    }

    @Test func alertDeliverySettingsHaveDefaultsAndBoundsOnBothSides() throws {
        let defaults = try load([:]).alerts
        #expect(defaults.telegramTimeoutSeconds == 15 && defaults.telegramConnectTimeoutSeconds == 5)
        #expect(defaults.repeatWindowSeconds == 600 && defaults.digestOver == 5)
        let set = try load([
            "LEADLEDGER_TELEGRAM_TIMEOUT_S": "20", "LEADLEDGER_TELEGRAM_CONNECT_TIMEOUT_S": "2",
            "LEADLEDGER_ALERT_REPEAT_WINDOW_S": "0", "LEADLEDGER_ALERT_DIGEST_OVER": "9",
        ]).alerts
        #expect(set.telegramTimeoutSeconds == 20 && set.telegramConnectTimeoutSeconds == 2)
        #expect(set.repeatWindowSeconds == 0 && set.digestOver == 9)
        for (key, low, high) in [
            ("LEADLEDGER_TELEGRAM_TIMEOUT_S", 1, 60), ("LEADLEDGER_TELEGRAM_CONNECT_TIMEOUT_S", 1, 30),
            ("LEADLEDGER_ALERT_REPEAT_WINDOW_S", 0, 86_400), ("LEADLEDGER_ALERT_DIGEST_OVER", 1, 100),
            ("LEADLEDGER_ALERT_MAX_AGE_S", 60, 2_592_000),
        ] {
            #expect(LedgerSettings.knownKeys.contains(key))
            #expect(problems([key: "\(low)"]).isEmpty && problems([key: "\(high)"]).isEmpty, "\(key)")
            #expect(problems([key: "\(low - 1)"]).map(\.key) == [key])
            #expect(problems([key: "\(high + 1)"]).map(\.key) == [key])
        }
    }

    @Test func theReportsDirectoryDefaultsToReportsBesideTheLog() throws {
        #expect(
            try load(["LEADLEDGER_DB": "/var/lib/leadledger/ledger.sqlite"]).reportsDirectory == "/var/lib/leadledger/reports")
        #expect(try load(["LEADLEDGER_REPORTS_DIR": "/srv/reports"]).reportsDirectory == "/srv/reports")
        #expect(LedgerSettings.knownKeys.contains("LEADLEDGER_REPORTS_DIR"))
        #expect(problems(["LEADLEDGER_REPORTS_DIR": "/srv/re\nports"]).map(\.key) == ["LEADLEDGER_REPORTS_DIR"])
    }

    /// A SQLite log keeps this host's files beside itself; a PostgreSQL log under `LEADLEDGER_STATE_DIR`, whose path is
    /// bounded (4,000 bytes, no control characters) like the other paths.
    @Test func thisHostsFilesLiveBesideASQLiteLogOrUnderTheStateDirectory() throws {
        let url = "postgres://ledger@db.example.ru/leads"
        #expect(
            try load(["LEADLEDGER_DB": "/var/lib/leadledger/ledger.sqlite"]).localStateBase == "/var/lib/leadledger/ledger.sqlite"
        )
        #expect(
            try load(["LEADLEDGER_DB": "/var/lib/leadledger/ledger.sqlite", "LEADLEDGER_STATE_DIR": "/srv/state"])
                .localStateBase == "/var/lib/leadledger/ledger.sqlite", "ignored for SQLite")
        #expect(
            try load(["LEADLEDGER_DB": url, "LEADLEDGER_STATE_DIR": "/srv/state"]).localStateBase == "/srv/state/postgres-ledger")
        #expect(try load(["LEADLEDGER_DB": url]).localStateBase.hasSuffix("/data/postgres-ledger"))
        #expect(problems(["LEADLEDGER_STATE_DIR": String(repeating: "d", count: 4000)]).isEmpty)
        #expect(problems(["LEADLEDGER_STATE_DIR": String(repeating: "d", count: 4001)]).map(\.key) == ["LEADLEDGER_STATE_DIR"])
        #expect(problems(["LEADLEDGER_STATE_DIR": "/srv/st\nate"]).map(\.key) == ["LEADLEDGER_STATE_DIR"])
    }

    @Test func theReactorMetricsPortIsOffUnlessSetAndBounded() throws {
        #expect(try load([:]).reactMetricsPort == nil)
        #expect(try load(["LEADLEDGER_REACT_METRICS_PORT": "0"]).reactMetricsPort == 0)
        #expect(problems(["LEADLEDGER_REACT_METRICS_PORT": "65535"]).isEmpty)
        #expect(problems(["LEADLEDGER_REACT_METRICS_PORT": "65536"]).map(\.key) == ["LEADLEDGER_REACT_METRICS_PORT"])
    }

    @Test func partialOAuthNamesEachMissingKey() {
        let found = problems([
            "LEADLEDGER_AMOCRM_BASE_URL": "https://acme.amocrm.ru", "LEADLEDGER_AMOCRM_CLIENT_ID": "id",
        ])
        #expect(
            Set(found.map(\.key)) == [
                "LEADLEDGER_AMOCRM_CLIENT_SECRET", "LEADLEDGER_AMOCRM_REFRESH_TOKEN", "LEADLEDGER_AMOCRM_REDIRECT_URI",
            ])
    }

    @Test func credentialsWithoutBaseURLAreAProblemNotASilentDisable() {
        #expect(problems(["LEADLEDGER_AMOCRM_TOKEN": "tok"]).map(\.key) == ["LEADLEDGER_AMOCRM_BASE_URL"])
    }

    @Test func telegramNeedsBothTokenAndChat() throws {
        #expect(problems(["LEADLEDGER_TELEGRAM_CHAT_ID": "-100123"]).map(\.key) == ["LEADLEDGER_TELEGRAM_BOT_TOKEN"])
        #expect(problems(["LEADLEDGER_TELEGRAM_BOT_TOKEN": "123:abc"]).map(\.key) == ["LEADLEDGER_TELEGRAM_CHAT_ID"])
        let settings = try load(["LEADLEDGER_TELEGRAM_BOT_TOKEN": "123:abc", "LEADLEDGER_TELEGRAM_CHAT_ID": "-100123"])
        #expect(settings.telegram?.apiURL.absoluteString == "https://api.telegram.org")
    }

    /// The PostgreSQL bounds, both sides of each; the password is a secret, never shown.
    @Test func postgresBoundsAreCheckedOnBothSides() throws {
        #expect(problems(["LEADLEDGER_DB_POOL_SIZE": "0"]).map(\.key) == ["LEADLEDGER_DB_POOL_SIZE"])
        #expect(problems(["LEADLEDGER_DB_POOL_SIZE": "201"]).map(\.key) == ["LEADLEDGER_DB_POOL_SIZE"])
        #expect(try load(["LEADLEDGER_DB_POOL_SIZE": "200"]).postgres.poolSize == 200)
        #expect(problems(["LEADLEDGER_DB_STATEMENT_TIMEOUT_MS": "99"]).map(\.key) == ["LEADLEDGER_DB_STATEMENT_TIMEOUT_MS"])
        #expect(try load(["LEADLEDGER_DB_STATEMENT_TIMEOUT_MS": "100"]).postgres.statementTimeoutMilliseconds == 100)
        #expect(problems(["LEADLEDGER_DB_OPERATION_TIMEOUT_MS": "499"]).map(\.key) == ["LEADLEDGER_DB_OPERATION_TIMEOUT_MS"])
        #expect(try load(["LEADLEDGER_DB_OPERATION_TIMEOUT_MS": "600000"]).postgres.operationTimeoutMilliseconds == 600_000)
        let settings = try load(["LEADLEDGER_DB_PASSWORD": "pg-secret-value"])
        #expect(settings.postgres.password?.value == "pg-secret-value")
        #expect(!String(describing: settings).contains("pg-secret-value"))
    }

    /// A `postgres://` or `postgresql://` URL names a PostgreSQL ledger, any other text a SQLite file; with a URL,
    /// the reports default to `./data/reports` rather than a directory named after the URL.
    @Test func theLogSettingChoosesTheBackend() throws {
        let postgres = try load(["LEADLEDGER_DB": "postgresql://ledger:pg-pass-123@db/leads"])
        #expect(postgres.backend == .postgres)
        #expect(postgres.reportsDirectory == "./data/reports")
        #expect(try load(["LEADLEDGER_DB": "POSTGRES://db/leads"]).backend == .postgres)
        let sqlite = try load(["LEADLEDGER_DB": "/var/lib/leads/ledger.sqlite"])
        #expect(sqlite.backend == .sqlite)
        #expect(sqlite.reportsDirectory == "/var/lib/leads/reports")
        #expect(try load(["LEADLEDGER_DB": "./postgres/ledger.sqlite"]).backend == .sqlite)
    }

    /// A chat id must fit the 64 bits the Bot API gives it: past that, no message could ever be addressed.
    @Test func aChatIDBeyond64BitsIsAProblem() throws {
        let withChat = { (chat: String) in
            ["LEADLEDGER_TELEGRAM_BOT_TOKEN": "123:abc", "LEADLEDGER_TELEGRAM_CHAT_ID": chat]
        }
        #expect(problems(withChat("-9223372036854775808")).isEmpty)
        #expect(problems(withChat("-9223372036854775809")).map(\.key) == ["LEADLEDGER_TELEGRAM_CHAT_ID"])
    }

    @Test func secretsNeverAppearInDescriptionsOrProblems() throws {
        let token = "123456:SECRET-bot-token-value"
        let settings = try load([
            "LEADLEDGER_TELEGRAM_BOT_TOKEN": token, "LEADLEDGER_TELEGRAM_CHAT_ID": "1",
            "LEADLEDGER_ADMIN_TOKEN": "admin-secret-0123456789",
        ])
        #expect(!String(describing: settings).contains("SECRET"))
        #expect(!String(describing: settings).contains("admin-secret"))
        let found = problems(["LEADLEDGER_TELEGRAM_BOT_TOKEN": "not a token SECRET", "LEADLEDGER_ADMIN_TOKEN": "Q7ZX"])
        #expect(!found.description.contains("SECRET"))
        #expect(!found.description.contains("Q7ZX"))
    }
}
