import LedgerCore
import Testing

struct PersonalDataSealerTests {
    let lead = LeadID.make(at: Timestamp(millisecondsSinceEpoch: 1_795_000_000_000))
    let personal = PersonalData(
        name: "Анна <b>&", phone: "+79161234567", email: "anna@example.ru", comment: "Перезвоните",
        pageURL: "https://example.ru/?utm=1", extra: ["city": "Москва"])

    @Test func sealedDataOpensWithTheLeadsKey() throws {
        let key = PersonalDataSealer.makeKey()
        let sealed = try PersonalDataSealer.seal(personal, leadID: lead, key: key)
        #expect(try PersonalDataSealer.open(sealed, leadID: lead, key: key) == personal)
    }

    @Test func sealedBoxHidesThePlaintext() throws {
        let sealed = try PersonalDataSealer.seal(personal, leadID: lead, key: PersonalDataSealer.makeKey())
        #expect(!sealed.box.contains("79161234567"))
        #expect(!sealed.box.contains("anna"))
    }

    @Test func anotherKeyCannotOpenIt() throws {
        let sealed = try PersonalDataSealer.seal(personal, leadID: lead, key: PersonalDataSealer.makeKey())
        #expect(throws: SealingError.self) {
            try PersonalDataSealer.open(sealed, leadID: lead, key: PersonalDataSealer.makeKey())
        }
    }

    @Test func aPayloadMovedToAnotherLeadDoesNotOpen() throws {
        let key = PersonalDataSealer.makeKey()
        let sealed = try PersonalDataSealer.seal(personal, leadID: lead, key: key)
        let other = LeadID.make(at: Timestamp(millisecondsSinceEpoch: 1_795_000_000_001))
        #expect(throws: SealingError.self) { try PersonalDataSealer.open(sealed, leadID: other, key: key) }
    }

    @Test func fingerprintsAreKeyedAndNormaliseEmailCase() {
        let first = ContactFingerprinter(secret: Array(repeating: 1, count: 32))
        let second = ContactFingerprinter(secret: Array(repeating: 2, count: 32))
        #expect(first.phone("+79161234567") == first.phone("+79161234567"))
        #expect(first.phone("+79161234567") != second.phone("+79161234567"))
        #expect(first.email("Anna@Example.RU") == first.email("anna@example.ru"))
        #expect(first.phone("x") != first.email("x"))
        #expect(Hex.isDigest(first.phone("+79161234567")))
    }
}
