import Foundation
import LedgerCore
import LedgerTelegram
import Testing

@Suite struct AlertTextTests {
    let alert = AlertContent(
        alertID: "01936f7e-8a2b-7c3d-9e4f-a1b2c3d4e5f6", kind: "crm_stopped", severity: .critical,
        message: "AmoCRM не отвечает: HTTP 503", subject: "amocrm", since: fixedStart, affectedLeads: 12)

    @Test func aRaisedAlertInRussianSaysWhatSinceWhenHowManyWhatToDoAndItsID() {
        let text = AlertText(locale: .ru, timeZone: moscow).raised(alert)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines[0] == "🔴 <b>Критично</b> · <code>crm_stopped</code>")
        #expect(lines[1] == "AmoCRM не отвечает: HTTP 503")
        #expect(lines[2] == "Объект: <code>AmoCRM</code>")
        #expect(lines[3] == "С: 29.11.2026 12:00 (UTC+3)")
        #expect(lines[4] == "Затронуто заявок: 12")
        #expect(lines[5].hasPrefix("Что делать: Проверьте доступ к AmoCRM"))
        #expect(lines[6] == "<i>id c3d4e5f6</i>")
    }

    @Test func anEnglishAlertUsesEnglishWordsAndISODates() {
        let text = AlertText(locale: .en, timeZone: TimeZone(secondsFromGMT: 0) ?? moscow).raised(alert)
        #expect(text.hasPrefix("🔴 <b>Critical</b>"))
        #expect(text.contains("Since: 2026-11-29 09:00 (UTC)"))
        #expect(text.contains("Leads affected: 12"))
        #expect(text.contains("What to do: Check access to AmoCRM"))
    }

    @Test func repeatsShowTheirOccurrenceCount() {
        var repeated = alert
        repeated.occurrences = 10
        #expect(AlertText(locale: .ru, timeZone: moscow).raised(repeated).contains("Повторений: 10"))
        #expect(!AlertText(locale: .ru, timeZone: moscow).raised(alert).contains("Повторений"))
    }

    @Test func aResolvedAlertSaysHowLongItLasted() {
        let text = AlertText(locale: .ru, timeZone: moscow).resolved(alert, at: fixedStart.adding(seconds: 3900))
        #expect(text.hasPrefix("✅ <b>Решено:</b> AmoCRM не отвечает: HTTP 503"))
        #expect(text.contains("Длилось: 1 ч 5 мин (с 29.11.2026 12:00 (UTC+3))"))
        let english = AlertText(locale: .en, timeZone: moscow).resolved(alert, at: fixedStart.adding(seconds: 20))
        #expect(english.contains("Lasted: less than a minute"))
    }

    @Test func everyInterpolatedValueIsEscaped() {
        let hostile = AlertContent(
            alertID: "<id>&", kind: "</code><b>", severity: .warning, message: "Заявка от <b>Иван</b> & ООО «Ромашка» &amp; 😀",
            subject: "</code>", since: fixedStart)
        let text = AlertText(locale: .ru, timeZone: moscow).raised(hostile)
        #expect(text.contains("Заявка от &lt;b&gt;Иван&lt;/b&gt; &amp; ООО «Ромашка» &amp;amp; 😀"))
        #expect(text.contains("<code>&lt;/code&gt;&lt;b&gt;</code>"))
        #expect(text.contains("Объект: <code>&lt;/code&gt;</code>"))
        #expect(TelegramHTML.plainText(text).contains("Заявка от <b>Иван</b> & ООО «Ромашка» &amp; 😀"))
    }

    @Test func callerHintsReplaceTheBuiltInOnes() {
        let text = AlertText(locale: .en, timeZone: moscow, hints: ["crm_stopped": "Call <Pavel> & wait"]).raised(alert)
        #expect(text.contains("What to do: Call &lt;Pavel&gt; &amp; wait"))
    }

    @Test(arguments: [
        (Int64(0), "меньше минуты"), (59_999, "меньше минуты"), (60_000, "1 мин"), (3_600_000, "1 ч"),
        (3_660_000, "1 ч 1 мин"), (90_000_000, "1 д 1 ч"), (172_800_000, "2 д"),
    ])
    func durationsAreShortAndRoundedDown(milliseconds: Int64, expected: String) {
        let text = AlertText(locale: .ru, timeZone: moscow).resolved(alert, at: fixedStart.adding(milliseconds: milliseconds))
        #expect(text.contains("Длилось: \(expected) ("))
    }
}
