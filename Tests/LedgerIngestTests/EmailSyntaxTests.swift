import Testing

@testable import LedgerIngest

struct EmailSyntaxTests {
    @Test(arguments: [
        ("Ivan.Petrov@Example.COM", "Ivan.Petrov@example.com"),
        ("user+tag@mail.ru", "user+tag@mail.ru"),
        ("o'brien_x@sub-domain.example.org", "o'brien_x@sub-domain.example.org"),
        ("иван@почта.рф", "иван@почта.рф"),
        ("user@ПОЧТА.РФ", "user@почта.рф"),
        ("a@xn--80a1acny.xn--p1ai", "a@xn--80a1acny.xn--p1ai"),
        ("a@b.co", "a@b.co"),
        (String(repeating: "l", count: 64) + "@example.com", String(repeating: "l", count: 64) + "@example.com"),
        ("a@" + String(repeating: "d", count: 63) + ".ru", "a@" + String(repeating: "d", count: 63) + ".ru"),
    ])
    func plausibleAddressesAreAcceptedWithTheDomainLowercased(raw: String, expected: String) {
        #expect(EmailSyntax.normalized(raw) == expected)
    }

    @Test(arguments: [
        "", "plain", "a@b", "a@@b.ru", "a@b@c.ru", "@b.ru", "a@", "a@.ru", "a@b..ru", "a@b.ru.", "a b@c.ru", "a@b c.ru",
        ".a@b.ru", "a.@b.ru", "a..b@c.ru", "a@-b.ru", "a@b-.ru", "a@[1.2.3.4]", "a@1.2.3.4", "\"a\"@b.ru", "a@b_c.ru",
        "a(comment)@b.ru", "a@b.ru ", " a@b.ru", "a@b.р ф",
        String(repeating: "l", count: 65) + "@example.com",  // local part one byte over 64
        "a@" + String(repeating: "d", count: 64) + ".ru",  // label one byte over 63
        "a@" + Array(repeating: String(repeating: "d", count: 50), count: 5).joined(separator: ".") + ".ru",  // domain over 253
    ])
    func malformedAddressesAreRefused(raw: String) {
        #expect(EmailSyntax.normalized(raw) == nil)
    }
}
