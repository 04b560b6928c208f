import Foundation
import LedgerCore
import LedgerStore
import LedgerTesting
import Testing

/// `GET /` on the real `leadledger serve`: headers, self-containment, counts that follow posted leads, escaping of
/// hostile text, no personal data, and the requeue path the page's buttons use.
@Suite(.serialized)
struct ServeDashboardTests {
    static let token = "dashboard-admin-token-0123456789"

    /// Polls the page until `condition` holds (the projector folds every 500 ms), returning the last page.
    private func page(_ server: ServeProcess, until condition: (String) -> Bool) async throws -> String {
        var body = ""
        for _ in 0..<100 {
            let (status, text) = try await server.get("/")
            #expect(status == 200)
            body = text
            if condition(body) { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        return body
    }

    /// Every `src=` / `href=` / `action=` value and CSS `url(...)` that points off the page.
    private func externalReferences(_ html: String) throws -> [String] {
        let pattern =
            #"(?i)(?:src|href|action|srcset|poster|data)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?\s*(?:https?:)?//|@import"#
        let regex = try NSRegularExpression(pattern: pattern)
        return regex.matches(in: html, range: NSRange(html.startIndex..., in: html)).compactMap {
            Range($0.range, in: html).map { String(html[$0]) }
        }
    }

    @Test func theDashboardRendersOnAnEmptyLogSelfContainedAndWithAStrictPolicy() async throws {
        let server = try ServeProcess()
        try server.start()
        let (status, headers) = try await server.request("GET", "/", headers: [:])
        #expect(status == 200)
        #expect(headers["content-type"] == "text/html; charset=utf-8")
        #expect(headers["cache-control"] == "no-store")
        let policy = try #require(headers["content-security-policy"])
        #expect(
            policy.hasPrefix(
                "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'; img-src data:"))
        #expect(policy.contains("frame-ancestors 'none'"))
        let (_, body) = try await server.get("/")
        #expect(body.hasPrefix("<!doctype html>"))
        #expect(body.contains("<html lang=\"ru\">"))
        #expect(try externalReferences(body).isEmpty)
        #expect(!body.contains("http://"))
        #expect(!body.contains("https://"))
        #expect(!body.contains("<link"))
        #expect(!body.contains("<img"))
        #expect(!body.contains("<iframe"))
        #expect(body.contains("Недоставленных заявок нет."))
        #expect(body.contains("Оповещений не было."))
        #expect(server.stop() == 0)
    }

    @Test func postedLeadsShowInTheCountsAndNoContactDataAppears() async throws {
        let server = try ServeProcess(settings: ["LEADLEDGER_ADMIN_TOKEN": Self.token, "LEADLEDGER_LOCALE": "en"])
        try server.start()
        let contacts = [
            ("Иван Петров", "+7 (916) 123-45-67", "ivan.petrov@example.org"),
            ("Anna Smith", "8 916 765 43 21", "anna.smith@example.net"),
            ("Мария", "+79035550011", "maria@example.com"),
        ]
        for (name, phone, email) in contacts {
            let body = """
                {"name":"\(name)","phone":"\(phone)","email":"\(email)","comment":"call after six","page_url":"https://landing.example.ru/promo?utm=1"}
                """
            #expect(try await server.post(body).status == 201)
        }
        let body = try await page(server) { $0.contains("<dt>Waiting</dt><dd class=\"\">3</dd>") }
        #expect(body.contains("<dt>Waiting</dt><dd class=\"\">3</dd>"))
        #expect(body.contains("received: 3"))
        #expect(body.contains("<html lang=\"en\">"))
        for (name, phone, email) in contacts {
            for secret in [name, phone, email, email.split(separator: "@")[0].description] {
                #expect(!body.contains(secret), "\(secret)")
            }
        }
        for secret in [
            "9161234567", "79161234567", "9167654321", "79035550011", "call after six", "landing.example.ru", Self.token,
        ] {
            #expect(!body.contains(secret), "\(secret)")
        }
        #expect(server.stop() == 0)
    }

    @Test func aHostileAlertMessageKindAndFormIDAreEscaped() async throws {
        let server = try ServeProcess()
        try server.start()
        let hostileForm = #"<script>alert('form')</script>"#
        #expect(try await server.post(#"{"phone":"+79160000001","form_id":"\#(hostileForm)"}"#).status == 201)
        let writer = try EventLog.open(path: server.dbPath)
        try writer.append(
            .alertRaised(
                AlertRaised(
                    alertID: "hostile-1", kind: #"<img src=x onerror="alert(1)">"#, severity: .critical, dedupeKey: "hostile",
                    message: #"<script>alert("x")</script> & 'quoted' "double""#, subject: "amocrm")))
        let body = try await page(server) { $0.contains("sev-critical") }
        #expect(body.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quoted&#39; &quot;double&quot;"))
        #expect(body.contains("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"))
        #expect(!body.contains(#"<script>alert("#))
        #expect(!body.contains("<img"))
        #expect(!body.contains(hostileForm))
        // The page's own script is the only one.
        #expect(body.components(separatedBy: "<script>").count == 2)
        #expect(server.stop() == 0)
    }

    @Test func aDeadLeadIsListedWithItsErrorClassAndTheRequeueTheButtonCallsTakesItOff() async throws {
        let server = try ServeProcess(settings: ["LEADLEDGER_ADMIN_TOKEN": Self.token])
        try server.start()
        let posted = try await server.post(#"{"phone":"+79160000002","name":"Пётр"}"#)
        let id = try #require(posted.json["lead_id"] as? String)
        let lead = try #require(LeadID(id))
        let writer = try EventLog.open(path: server.dbPath)
        try writer.append([SyncEventBuilders.attempted(lead, 1), SyncEventBuilders.failed(lead, 1, retryAt: nil)])
        let body = try await page(server) { $0.contains("data-lead=\"\(id)\"") }
        #expect(body.contains("data-lead=\"\(id)\""))
        #expect(body.contains("заявка отклонена, HTTP 400"))
        #expect(body.contains("type=\"password\""))
        // The CRM's error text is not shown (it may echo what was sent), nor is the lead's name.
        #expect(!body.contains("phone is invalid"))
        #expect(!body.contains("Пётр"))
        let (status, _) = try await server.send("POST", "/api/admin/leads/\(id)/requeue", bearer: Self.token)
        #expect(status == 200)
        let after = try await page(server) { !$0.contains("data-lead=\"\(id)\"") }
        #expect(!after.contains("data-lead=\"\(id)\""))
        #expect(after.contains("Недоставленных заявок нет."))
        #expect(server.stop() == 0)
    }
}
