import LedgerCore
import Testing

@testable import LedgerIngest

struct FingerprintTests {
    static let lead: [(String, String)] = [
        ("name", "Иван Петров"), ("phone", "+7 916 123 45 67"), ("email", "ivan@example.ru"), ("comment", "Перезвоните"),
        ("page_url", "https://сайт.рф/"), ("form_id", "f1"), ("utm_source", "yandex"), ("city", "Москва"),
        ("_redirect", "/thanks"),
    ]

    @Test func sameLeadAsJSONAndAsFormIsOneSubmissionWithOneFingerprint() throws {
        let json = try #require(Fixtures.parseJSON(Self.lead).submission)
        let form = try #require(Fixtures.parseForm(Self.lead).submission)
        #expect(json == form)
        #expect(json.fingerprint == form.fingerprint)
        #expect(Hex.isDigest(json.fingerprint))
    }

    @Test func fieldOrderDoesNotMatter() throws {
        let forward = try #require(Fixtures.parseJSON(Self.lead).submission)
        let backward = try #require(Fixtures.parseForm(Self.lead.reversed()).submission)
        #expect(forward.fingerprint == backward.fingerprint)
    }

    @Test(arguments: ["8 (916) 123-45-67", "9161234567", "+79161234567", "79161234567", "8-916-123-45-67"])
    func phoneTypedAnyWayHasOneFingerprint(phone: String) throws {
        let reference = try #require(Fixtures.parseJSON([("phone", "+7 916 123 45 67")]).submission)
        let other = try #require(Fixtures.parseForm([("phone", phone)]).submission)
        #expect(other.fingerprint == reference.fingerprint)
    }

    @Test func whitespaceCaseOfDomainAndUnicodeFormDoNotChangeTheFingerprint() throws {
        let plain = try #require(Fixtures.parseJSON([("email", "a@mail.ru"), ("name", "Йод")]).submission)
        let noisy = try #require(Fixtures.parseJSON([("email", " a@MAIL.RU "), ("name", "И\u{0306}од ")]).submission)
        #expect(plain.fingerprint == noisy.fingerprint)
    }

    @Test func everyFieldTakesPartInTheFingerprint() throws {
        let base = try #require(Fixtures.parseJSON(Self.lead).submission)
        var variants: [LeadSubmission] = []
        for keyPath: WritableKeyPath<LeadSubmission, String?> in [
            \.personal.name, \.personal.phone, \.personal.email, \.personal.comment, \.personal.pageURL, \.formID,
            \.utm.source, \.utm.medium, \.utm.campaign, \.utm.content, \.utm.term, \.redirect,
        ] {
            var changed = base
            changed[keyPath: keyPath] = (changed[keyPath: keyPath] ?? "") + "x"
            variants.append(changed)
            var removed = base
            removed[keyPath: keyPath] = removed[keyPath: keyPath] == nil ? "" : nil
            variants.append(removed)
        }
        var honeypot = base
        honeypot.honeypotTripped.toggle()
        var extraValue = base
        extraValue.personal.extra["city"] = "Тверь"
        var extraKey = base
        extraKey.personal.extra = ["town": "Москва"]
        variants += [honeypot, extraValue, extraKey]
        let fingerprints = variants.map(\.fingerprint)
        #expect(!fingerprints.contains(base.fingerprint))
        #expect(Set(fingerprints).count == fingerprints.count)
    }

    @Test func lengthPrefixesKeepFieldBoundariesApart() {
        let first = LeadSubmission(personal: PersonalData(name: "ab", phone: "c"))
        let second = LeadSubmission(personal: PersonalData(name: "a", phone: "bc"))
        let emptyName = LeadSubmission(personal: PersonalData(name: "", phone: "c"))
        let noName = LeadSubmission(personal: PersonalData(phone: "c"))
        #expect(first.fingerprint != second.fingerprint)
        #expect(emptyName.fingerprint != noName.fingerprint)
        let extraA = LeadSubmission(personal: PersonalData(extra: ["ab": "c"]))
        let extraB = LeadSubmission(personal: PersonalData(extra: ["a": "bc"]))
        #expect(extraA.fingerprint != extraB.fingerprint)
    }

    /// Pins the documented layout, so a change to the encoding (which would break idempotency across versions) is
    /// noticed. Vector computed with Python: sha256(b"LLSUB1" + b"\0" + b"\x01" + (12).to_bytes(4,"big")
    /// + b"+79161234567" + b"\0" * 10 + b"\0" + (0).to_bytes(4,"big")).hexdigest()
    @Test func fingerprintFollowsTheDocumentedLayout() {
        let submission = LeadSubmission(personal: PersonalData(phone: "+79161234567"))
        #expect(submission.fingerprint == "df6e7447afc8933895851436423dcff2026c29804339fd88aff91033f2ef7a8c")
    }
}
