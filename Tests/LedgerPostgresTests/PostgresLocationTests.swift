import LedgerCore
import LedgerPostgres
import Testing

@Suite struct PostgresLocationTests {
    @Test func aFullURLIsReadAndDescribedWithoutItsPassword() throws {
        let location = try PostgresLocation(
            url: "postgresql://ledger:s3cr%40t@db.example.ru:6432/leads?sslmode=verify-full&application_name=serve-1")
        #expect(location.host == "db.example.ru")
        #expect(location.port == 6432)
        #expect(location.database == "leads")
        #expect(location.user == "ledger")
        #expect(location.password?.value == "s3cr@t", "percent-decoded")
        #expect(location.sslMode == .verifyFull)
        #expect(location.applicationName == "serve-1")
        #expect(!location.description.contains("s3cr"))
        #expect(location.description == "postgres://ledger@db.example.ru:6432/leads?sslmode=verify-full&application_name=serve-1")
    }

    @Test func defaultsAreLibpqsAndThePasswordMayComeFromItsOwnSetting() throws {
        let location = try PostgresLocation(url: "postgres://ledger@127.0.0.1/leads", fallbackPassword: Secret("from-env"))
        #expect(location.port == 5432)
        #expect(location.sslMode == .prefer)
        #expect(location.applicationName == "leadledger")
        #expect(location.password?.value == "from-env")
        let inURL = try PostgresLocation(url: "postgres://ledger:in-url@127.0.0.1/leads", fallbackPassword: Secret("env"))
        #expect(inURL.password?.value == "in-url", "the URL's own password wins")
    }

    @Test(arguments: [
        ("postgres://127.0.0.1/leads", "names no user"),
        ("postgres://ledger@/leads", "names no host"),
        ("postgres://ledger@127.0.0.1", "names no database"),
        ("postgres://ledger@127.0.0.1/leads?sslmode=allow-everything", "sslmode"),
        ("postgres://ledger@127.0.0.1/leads?ssl=true", "unknown parameter"),
        ("/var/lib/leadledger/ledger.sqlite", "is not a postgres"),
    ])
    func aBadURLIsRefusedWithItsReason(url: String, reason: String) {
        #expect(throws: PostgresLocationError.self) { try PostgresLocation(url: url) }
        do {
            _ = try PostgresLocation(url: url)
        } catch {
            #expect(error.description.contains(reason), "\(error)")
        }
    }

    @Test func aPasswordNeverAppearsInAnError() {
        do {
            _ = try PostgresLocation(url: "postgres://ledger:hunter2@127.0.0.1/leads?sslmode=maybe")
            Issue.record("accepted")
        } catch {
            #expect(!error.description.contains("hunter2"))
        }
    }

    @Test func onlyPostgresSchemesAreURLs() {
        #expect(PostgresLocation.isURL("postgres://a@b/c"))
        #expect(PostgresLocation.isURL("POSTGRESQL://a@b/c"))
        #expect(!PostgresLocation.isURL("ledger.sqlite"))
        #expect(!PostgresLocation.isURL("mysql://a@b/c"))
    }
}
