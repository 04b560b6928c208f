import Foundation
import LedgerCore
import Testing

@testable import LedgerHTTP

struct DashboardFormatTests {
    private let moscow = TimeZone(identifier: "Europe/Moscow") ?? .current

    @Test func moneyIsGroupedByThousandsWithTheCurrencySign() {
        let russian = DashboardFormat(timeZone: moscow, language: "ru")
        let english = DashboardFormat(timeZone: moscow, language: "en")
        #expect(russian.money(12_300, currency: "RUB") == "12\u{A0}300\u{A0}₽")
        #expect(english.money(12_300, currency: "RUB") == "12,300\u{A0}₽")
        #expect(russian.money(0, currency: "RUB") == "0\u{A0}₽")
        #expect(russian.money(Decimal(string: "1234567.5") ?? 0, currency: "USD") == "1\u{A0}234\u{A0}567,50\u{A0}$")
        #expect(english.money(999, currency: "GEL") == "999\u{A0}GEL")
    }

    @Test func clockTimesAreInTheConfiguredTimeZone() {
        // 2026-11-29 12:05:09 UTC is 15:05:09 in Moscow (UTC+3) and 21:05 in Tokyo.
        let instant = Timestamp(millisecondsSinceEpoch: 1_795_953_909_000)
        #expect(DashboardFormat(timeZone: moscow, language: "ru").clockWithSeconds(instant) == "15:05:09")
        #expect(DashboardFormat(timeZone: moscow, language: "ru").dayAndClock(instant) == "29.11 15:05")
        let tokyo = TimeZone(identifier: "Asia/Tokyo") ?? .current
        #expect(DashboardFormat(timeZone: tokyo, language: "en").clock(instant) == "21:05")
    }

    @Test func agesReadAsSecondsMinutesHoursOrDays() {
        let russian = DashboardFormat(timeZone: moscow, language: "ru")
        #expect(russian.age(seconds: 45) == "45 с")
        #expect(russian.age(seconds: 600) == "10 мин")
        #expect(russian.age(seconds: 3 * 3600 + 300) == "3 ч 5 мин")
        #expect(russian.age(seconds: 3 * 86_400) == "3 д")
        #expect(DashboardFormat(timeZone: moscow, language: "en").age(seconds: 90) == "1 min")
    }

    @Test(arguments: [
        (1, "1 заявка"), (2, "2 заявки"), (5, "5 заявок"), (11, "11 заявок"), (12, "12 заявок"), (21, "21 заявка"),
        (53, "53 заявки"), (111, "111 заявок"), (1030, "1030 заявок"),
    ])
    func russianLeadCountsTakeTheRightForm(count: Int, expected: String) {
        #expect(DashboardText.russian.leadCount(count) == expected)
    }

    @Test func alertsKeepOnlyTheLedgersOwnWords() {
        typealias Line = DashboardSnapshot.AlertLine
        #expect(Line.ownWords("AmoCRM refused the lead: phone +79161234567 is invalid") == "AmoCRM refused the lead")
        #expect(Line.ownWords("gave up after 48 attempts: Иван Петров: bad") == "gave up after 48 attempts")
        #expect(Line.ownWords("3 consecutive AmoCRM failures") == "3 consecutive AmoCRM failures")
        #expect(Line.ownWords(String(repeating: "x", count: 500)).count == 201)
    }
}
