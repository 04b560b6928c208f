import Testing

@testable import LedgerIngest

struct PhoneNormalizerTests {
    @Test(arguments: [
        ("8 (916) 123-45-67", "+79161234567"),
        ("+7 916 123 45 67", "+79161234567"),
        ("9161234567", "+79161234567"),
        ("79161234567", "+79161234567"),
        ("89161234567", "+79161234567"),
        ("8.916.123.45.67", "+79161234567"),
        ("+7 (916) 123\u{2013}45\u{2013}67", "+79161234567"),
        ("8\u{00A0}916\u{00A0}123\u{00A0}45\u{00A0}67", "+79161234567"),
        ("8 (495) 123-45-67", "+74951234567"),
        ("+44 20 7946 0958", "+442079460958"),
        ("+1 (212) 555-0100", "+12125550100"),
        ("+12345678", "+12345678"),  // 8 digits: the shortest international number
        ("+123456789012345", "+123456789012345"),  // 15 digits: the E.164 maximum
    ])
    func russianAndInternationalHabitsBecomeE164(raw: String, expected: String) {
        #expect(PhoneNormalizer.e164(raw) == expected)
    }

    @Test(arguments: [
        "", "8", "+", "7", "()", "- -",
        "+1234567",  // 7 digits after +: one short
        "+1234567890123456",  // 16 digits: one over E.164
        "916123456",  // 9 digits starting with 9
        "91612345678",  // 11 digits starting with 9
        "8916123456",  // 10 digits starting with 8
        "891612345678",  // 12 digits starting with 8
        "7916123456",  // 10 digits starting with 7
        "+7916123456",  // +7 with 10 digits
        "+791612345678",  // +7 with 12 digits
        "1234567890",  // 10 digits not starting with 9, no +
        "+0123456789",  // country codes never start with 0
        "0079161234567",  // 00 instead of + is not read
        "8 916 123 45 6a", "8-916-123-45-67 доб. 12", "+7 916 +123 45 67", "7+9161234567", "++79161234567",
        "８９１６１２３４５６７",  // full-width digits
        "8\t916 123 45 67", "8/916/1234567", "89161234567#",
    ])
    func malformedNumbersAreRefused(raw: String) {
        #expect(PhoneNormalizer.e164(raw) == nil)
    }

    @Test func veryLongDigitRunsAreRefusedWithoutReadingToTheEnd() {
        #expect(PhoneNormalizer.e164("+" + String(repeating: "1", count: 100_000)) == nil)
    }
}
