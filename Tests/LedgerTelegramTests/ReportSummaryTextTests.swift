import LedgerCore
import LedgerTelegram
import Testing

/// The nightly report's Telegram summary: short, in the owner's language, money at the lead cost, the reconciliation.
struct ReportSummaryTextTests {
    let summary = ReportSummary(
        received: 12, delivered: 8, deliveredLate: 3, pending: 2, dead: 1, spam: 1, savedByRetries: 4, leadCost: "99.5",
        currency: "RUB", restarts: 2, uncleanRestarts: 1, alertsRaised: 5)

    @Test func russianIsTheDefaultAndStatesEveryFigure() {
        let text = ReportSummaryText().summary(day: "2026-11-28", summary, reportID: "0193c0de-aaaa-7bbb-8ccc-1234567890ab")
        #expect(text.hasPrefix("📊 <b>Отчёт о заявках за 2026-11-28</b>"))
        #expect(text.contains("Получено заявок: 12"))
        #expect(text.contains("Доставлено в AmoCRM: 8 (вовремя 5, с опозданием 3)"))
        #expect(text.contains("Ждут отправки, под риском: 2 — 199 RUB"))
        #expect(text.contains("Потеряно: 1 — 99.5 RUB"))
        #expect(text.contains("Спасено повторными попытками: 4 — 398 RUB"))
        #expect(text.contains("Перезапуски: 2 (аварийных 1)"))
        #expect(text.contains("Сверка: 12 = 8 + 2 + 1 + 1"))
        #expect(text.contains("✓"))
        #expect(text.hasSuffix("<i>id 567890ab</i>"))
        #expect(TelegramHTML.plainLength(text) < 1000, "one short message")
    }

    @Test func englishOnRequestAndNoIDForAnAdHocSend() {
        let text = ReportSummaryText(locale: .en).summary(day: "2026-11-28", summary)
        #expect(text.contains("Lead report for 2026-11-28"))
        #expect(text.contains("Lost: 1 — 99.5 RUB"))
        #expect(text.contains("Check: 12 = 8 + 2 + 1 + 1 (delivered + pending + lost + spam) ✓"))
        #expect(!text.contains("<i>id"))
    }

    @Test func figuresThatDoNotReconcileSaySo() {
        var broken = summary
        broken.received = 13
        #expect(ReportSummaryText(locale: .en).summary(day: "2026-11-28", broken).contains("✗ does not reconcile"))
    }

    @Test func theDayIsEscaped() {
        let text = ReportSummaryText().summary(day: "<b>&", summary)
        #expect(text.contains("&lt;b&gt;&amp;"))
    }
}
