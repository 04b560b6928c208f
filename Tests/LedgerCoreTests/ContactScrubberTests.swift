import LedgerCore
import Testing

struct ContactScrubberTests {
    @Test(arguments: [
        ("AmoCRM rejected: phone +7 (916) 123-45-67 is invalid", "AmoCRM rejected: phone [phone] is invalid"),
        ("value 89161234567.", "value [phone]."),
        ("email ivan.petrov@mail.ru refused", "email [email] refused"),
        ("(anna@example.com)", "([email])"),
        ("3 consecutive AmoCRM failures; 12 leads wait", "3 consecutive AmoCRM failures; 12 leads wait"),
        (
            "lead 01a2271c-7b9b-7b6a-8edb-30ac7891b492 dead after 48 attempts",
            "lead 01a2271c-7b9b-7b6a-8edb-30ac7891b492 dead after 48 attempts"
        ),
        ("HTTP 403 at 2026-11-29", "HTTP 403 at 2026-11-29"),
        ("started 2026-11-29T12:00:00.000Z, pid 4242", "started 2026-11-29T12:00:00.000Z, pid 4242"),
        ("a@b and user@host", "a@b and user@host"),
    ])
    func phonesAndEmailsAreMaskedAndTheLedgersOwnWordsAreNot(input: String, expected: String) {
        #expect(ContactScrubber.scrub(input) == expected)
    }
}
