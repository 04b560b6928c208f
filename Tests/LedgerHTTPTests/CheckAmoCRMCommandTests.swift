import Foundation
import LedgerTesting
import Testing

/// `leadledger check-amocrm` against the fake AmoCRM: a healthy account passes, each broken setting or account
/// habit fails its own row by name, and no secret is ever printed.
@Suite(.serialized)
struct CheckAmoCRMCommandTests {
    /// Only for its environment and its temporary directory, where the log and the OAuth token file would live.
    private let server: ServeProcess

    init() throws { server = try ServeProcess() }

    /// The settings of a healthy, fully mapped account on the fake.
    private func settings(_ crm: FakeAmoCRMProcess, _ extra: [String: String] = [:]) throws -> [String: String] {
        server.environment.merging(
            [
                "LEADLEDGER_AMOCRM_BASE_URL": crm.baseURL, "LEADLEDGER_AMOCRM_TOKEN": FakeAmoCRMProcess.token,
                "LEADLEDGER_AMOCRM_PIPELINE_ID": "1", "LEADLEDGER_AMOCRM_STATUS_ID": "10",
                "LEADLEDGER_AMOCRM_FIELDS": "ledger_id=900001, page_url=900002, utm_source=900003",
                "LEADLEDGER_AMOCRM_RATE_PER_S": "20",
            ]
        ) { $1 }.merging(extra) { $1 }
    }

    /// Runs the command; the table's rows by check name (verdict, detail), and everything it printed.
    private func check(_ environment: [String: String], _ arguments: [String] = []) throws -> (
        status: Int32, rows: [String: (verdict: String, detail: String)], output: String
    ) {
        let result = try runLeadledger(["check-amocrm"] + arguments, environment)
        var rows: [String: (verdict: String, detail: String)] = [:]
        let names = [
            "token", "clock offset", "pipeline and status", "lead fields", "contact fields", "oauth refresh", "test lead",
        ]
        for line in result.stdout.split(separator: "\n").map(String.init) {
            guard let name = names.first(where: { line.hasPrefix($0 + " ") }) else { continue }
            let rest = line.dropFirst(name.count).drop { $0 == " " }
            let verdict = String(rest.prefix { $0 != " " })
            rows[name] = (verdict, String(rest.dropFirst(verdict.count).drop { $0 == " " }))
        }
        return (result.status, rows, result.stdout + result.stderr)
    }

    @Test func aHealthyAccountPassesEveryRowWithExitZero() async throws {
        let crm = try FakeAmoCRMProcess()
        defer { crm.stop() }
        let result = try check(try settings(crm))
        #expect(result.status == 0, "\(result.output)")
        #expect(result.rows.count == 6, "\(result.output)")
        for (name, row) in result.rows { #expect(row.verdict == "ok", "\(name): \(row.detail)") }
        #expect(result.rows["token"]?.detail.contains("\"fake\"") == true, "\(result.output)")
        #expect(result.rows["oauth refresh"]?.detail == "long-lived token, nothing to refresh")
        #expect(result.output.contains("check-amocrm: ok"), "\(result.output)")
        #expect(!result.output.contains(FakeAmoCRMProcess.token), "the token must never be printed")
        let state = try await crm.state()
        #expect(state["created_total"] as? Int == 0, "without --write nothing is written")
    }

    @Test(arguments: [
        ("LEADLEDGER_AMOCRM_PIPELINE_ID", "777", "LEADLEDGER_AMOCRM_PIPELINE_ID=777"),
        ("LEADLEDGER_AMOCRM_STATUS_ID", "99", "LEADLEDGER_AMOCRM_STATUS_ID=99"),
    ])
    func aPipelineOrStatusTheAccountLacksFailsNamingTheSetting(_ key: String, _ value: String, _ named: String) throws {
        let crm = try FakeAmoCRMProcess()
        defer { crm.stop() }
        let result = try check(try settings(crm, [key: value]))
        #expect(result.status == 1, "\(result.output)")
        #expect(result.rows["pipeline and status"]?.verdict == "FAIL", "\(result.output)")
        #expect(result.rows["pipeline and status"]?.detail.contains(named) == true, "\(result.output)")
        #expect(result.output.contains("check-amocrm: FAILED, 1 of 6"), "\(result.output)")
    }

    @Test func aMissingOrNumericLeadFieldFailsNamingTheEntry() throws {
        let crm = try FakeAmoCRMProcess()
        defer { crm.stop() }
        let result = try check(try settings(crm, ["LEADLEDGER_AMOCRM_FIELDS": "comment=999999, utm_term=900004"]))
        #expect(result.status == 1, "\(result.output)")
        let detail = result.rows["lead fields"]?.detail ?? ""
        #expect(result.rows["lead fields"]?.verdict == "FAIL", "\(result.output)")
        #expect(detail.contains("LEADLEDGER_AMOCRM_FIELDS"), "\(detail)")
        #expect(detail.contains("comment=999999: no such lead field"), "\(detail)")
        #expect(detail.contains("utm_term=900004") && detail.contains("numeric"), "\(detail)")
    }

    @Test func anAccountWithoutAnEmailContactFieldFails() async throws {
        let crm = try FakeAmoCRMProcess()
        defer { crm.stop() }
        try await crm.control(
            "behaviour", ["contact_fields": [["id": 1, "name": "Телефон", "type": "multitext", "code": "PHONE"]]])
        let result = try check(try settings(crm))
        #expect(result.status == 1, "\(result.output)")
        #expect(result.rows["contact fields"]?.verdict == "FAIL", "\(result.output)")
        #expect(result.rows["contact fields"]?.detail.contains("EMAIL") == true, "\(result.output)")
    }

    @Test(arguments: [(120, "warn", Int32(0)), (-600, "FAIL", Int32(1))])
    func aSkewedClockWarnsThenFails(_ skew: Int, _ verdict: String, _ status: Int32) async throws {
        let crm = try FakeAmoCRMProcess()
        defer { crm.stop() }
        try await crm.control("behaviour", ["clock_skew_s": skew])
        let result = try check(try settings(crm))
        #expect(result.status == status, "\(result.output)")
        #expect(result.rows["clock offset"]?.verdict == verdict, "\(result.output)")
        #expect(result.rows["clock offset"]?.detail.contains(skew > 0 ? "ahead of" : "behind") == true, "\(result.output)")
    }

    @Test func aRefusedTokenFailsWithoutPrintingIt() throws {
        let crm = try FakeAmoCRMProcess()
        defer { crm.stop() }
        let wrong = "wrong-token-3f9a1c"
        let result = try check(try settings(crm, ["LEADLEDGER_AMOCRM_TOKEN": wrong]))
        #expect(result.status == 1, "\(result.output)")
        #expect(result.rows["token"]?.verdict == "FAIL", "\(result.output)")
        #expect(result.rows["token"]?.detail.contains("LEADLEDGER_AMOCRM_TOKEN") == true, "\(result.output)")
        #expect(!result.output.contains(wrong), "the token must never be printed")
    }

    @Test func oauthRefreshesOnceSavesThePairAndPrintsNoSecret() throws {
        let crm = try FakeAmoCRMProcess()
        defer { crm.stop() }
        var environment = try settings(crm)
        environment["LEADLEDGER_AMOCRM_TOKEN"] = nil
        environment.merge(
            [
                "LEADLEDGER_AMOCRM_CLIENT_ID": "fake-client", "LEADLEDGER_AMOCRM_CLIENT_SECRET": "fake-secret",
                "LEADLEDGER_AMOCRM_REFRESH_TOKEN": "refresh-0", "LEADLEDGER_AMOCRM_REDIRECT_URI": "https://example.ru/oauth",
            ]
        ) { $1 }
        let first = try check(environment)
        #expect(first.status == 0, "\(first.output)")
        #expect(first.rows["oauth refresh"]?.detail.hasPrefix("refreshed now") == true, "\(first.output)")
        let second = try check(environment)
        #expect(second.status == 0, "\(second.output)")
        #expect(second.rows["oauth refresh"]?.detail.hasPrefix("tokens saved in") == true, "the saved pair is reused")
        for secret in ["fake-secret", "refresh-0", "refresh-1", "access-1"] {
            #expect(!(first.output + second.output).contains(secret), "\(secret) printed")
        }
        environment["LEADLEDGER_DB"] = (environment["LEADLEDGER_DB"] ?? "") + ".other"
        let spent = try check(environment)
        #expect(spent.status == 1, "a spent refresh token fails: \(spent.output)")
        #expect(spent.rows["oauth refresh"]?.verdict == "FAIL", "\(spent.output)")
        #expect(spent.rows["oauth refresh"]?.detail.contains("LEADLEDGER_AMOCRM_REFRESH_TOKEN") == true, "\(spent.output)")
    }

    @Test func writeCreatesOneTaggedLeadAndFindsItAgainByItsCreatedAtWindow() async throws {
        let crm = try FakeAmoCRMProcess()
        defer { crm.stop() }
        let result = try check(try settings(crm), ["--write"])
        #expect(result.status == 0, "\(result.output)")
        let row = try #require(result.rows["test lead"], "\(result.output)")
        #expect(row.verdict == "ok", "\(row.detail)")
        #expect(row.detail.contains("found again as CRM lead 10000001"), "\(row.detail)")
        let state = try await crm.state()
        #expect(state["created_total"] as? Int == 1, "exactly one lead: \(state["created_total"] ?? "?")")
        let lead = try #require((state["leads"] as? [[String: Any]])?.first)
        let tags = Set((lead["tags"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String })
        #expect(tags.contains("leadledger-check"), "\(tags)")
        #expect(lead["pipeline_id"] as? Int == 1)
        #expect(lead["status_id"] as? Int == 10)
        #expect(!result.output.contains(FakeAmoCRMProcess.token))
    }
}
