import Foundation
import LedgerCore
import LedgerProjections
import LedgerStore
import LedgerTesting
import Testing

@testable import LedgerHTTP

/// The page rendered in-process from a generated history: bounded lists, a bounded size, no personal data.
struct DashboardPageTests {
    private func endpoint(_ fixture: TemporaryLog, admin: Bool = true, locale: String = "ru") async throws -> DashboardEndpoint {
        let runner = try ProjectionRunner(log: fixture.log)
        try await runner.catchUp()
        return DashboardEndpoint(
            log: fixture.log, runner: runner, localState: fixture.log.path, rules: .init(crmEnabled: true, telegramEnabled: true),
            report: .init(timeZone: TimeZone(identifier: "Europe/Moscow") ?? .current), adminEnabled: admin, locale: locale)
    }

    private func occurrences(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

    /// 6,000 leads (about 240 dead-lettered) and 40 alerts: the lists stop at their limits, the rest is a count, and
    /// the page stays far below 200 KB. Size is deterministic; the render time is a benchmark (docs/BENCHMARKS.md).
    @Test func aLargeLogKeepsThePageSmallAndEveryListBounded() async throws {
        let fixture = try TemporaryLog()
        let summary = try LeadHistoryGenerator.write(leads: 6000, to: fixture.log, clock: fixture.clock, seed: 77)
        for number in 0..<40 {
            try fixture.log.append(
                .alertRaised(
                    AlertRaised(
                        alertID: "alert-\(number)", kind: "crm_failures", severity: .critical, dedupeKey: "k\(number)",
                        message: "alert number \(number): detail", subject: "amocrm")))
        }
        let page = try await endpoint(fixture).render(now: fixture.clock.now())
        #expect(summary.dead > DashboardSnapshot.maxDeadLeads)
        #expect(page.utf8.count < 200_000)
        #expect(occurrences("class=\"requeue\"", in: page) == DashboardSnapshot.maxDeadLeads)
        #expect(page.contains("и ещё \(summary.dead - DashboardSnapshot.maxDeadLeads)"))
        #expect(occurrences("class=\"sev-critical\"", in: page) == DashboardSnapshot.maxAlerts)
        #expect(page.contains("alert number 39"))
        #expect(!page.contains("alert number 29"))
        #expect(!page.contains(": detail"), "alert messages are cut at their first \": \"")
        // The generator's personal data and the CRM's error text never reach the page.
        for secret in [
            "Клиент", "+7916", "client1@example.com", "Перезвоните", "example.ru/landing", "Москва", "phone is invalid",
        ] {
            #expect(!page.contains(secret), "\(secret)")
        }
    }

    @Test func theChartsShowTheLast24HoursOfArrivalsAndOutcomes() async throws {
        let fixture = try TemporaryLog()
        try LeadHistoryGenerator.write(leads: 300, to: fixture.log, clock: fixture.clock, seed: 3)
        let page = try await endpoint(fixture).render(now: fixture.clock.now())
        #expect(occurrences("<svg class=\"chart\"", in: page) == 2)
        #expect(occurrences("class=\"bar-received\"", in: page) >= 1)
        #expect(occurrences("class=\"bar-delivered\"", in: page) >= 1)
    }

    @Test func withoutAnAdminTokenThePageSaysSoInsteadOfShowingButtons() async throws {
        let fixture = try TemporaryLog()
        try LeadHistoryGenerator.write(leads: 200, to: fixture.log, clock: fixture.clock, seed: 8)
        let page = try await endpoint(fixture, admin: false).render(now: fixture.clock.now())
        #expect(page.contains("LEADLEDGER_ADMIN_TOKEN"))
        #expect(!page.contains("class=\"requeue\""))
        #expect(!page.contains("type=\"password\""))
    }

    @Test func theEnglishPageHasTheSameSectionsAsTheRussianOne() async throws {
        let fixture = try TemporaryLog()
        try LeadHistoryGenerator.write(leads: 200, to: fixture.log, clock: fixture.clock, seed: 8)
        let russian = try await endpoint(fixture).render(now: fixture.clock.now())
        let english = try await endpoint(fixture, locale: "en").render(now: fixture.clock.now())
        #expect(russian.contains("<html lang=\"ru\">"))
        #expect(english.contains("<html lang=\"en\">"))
        #expect(english.contains("Undelivered leads"))
        #expect(occurrences("<section", in: russian) == occurrences("<section", in: english))
        #expect(occurrences("<dt>", in: russian) == occurrences("<dt>", in: english))
    }
}
