import Foundation
import LedgerCore
import Testing

@testable import LedgerIngest

struct SubmissionParserTests {
    @Test func fullJSONLeadIsNormalised() throws {
        let result = Fixtures.parseJSON([
            ("name", "  Иван Петров "), ("phone", "8 (916) 123-45-67"), ("email", "Ivan@Example.RU"),
            ("comment", "Перезвоните\r\nпосле 18:00\tпожалуйста"), ("form_id", "landing-1"),
            ("page_url", "https://сайт.рф/заявка?x=1"), ("utm_source", "yandex"), ("utm_medium", "cpc"),
            ("utm_campaign", "spring"), ("utm_content", "banner"), ("utm_term", "окна"), ("_redirect", "/thanks"),
            ("city", "Москва"),
        ])
        let submission = try #require(result.submission)
        #expect(submission.personal.name == "Иван Петров")
        #expect(submission.personal.phone == "+79161234567")
        #expect(submission.personal.email == "Ivan@example.ru")
        #expect(submission.personal.comment == "Перезвоните\nпосле 18:00\tпожалуйста")
        #expect(submission.personal.pageURL == "https://сайт.рф/заявка?x=1")
        #expect(submission.personal.extra == ["city": "Москва"])
        #expect(submission.formID == "landing-1")
        #expect(submission.utm == UTM(source: "yandex", medium: "cpc", campaign: "spring", content: "banner", term: "окна"))
        #expect(submission.redirect == "/thanks")
        #expect(submission.honeypotTripped == false)
    }

    @Test func cyrillicFormBodyIsDecoded() throws {
        let body = "name=%D0%98%D0%B2%D0%B0%D0%BD+%D0%9F%D0%B5%D1%82%D1%80%D0%BE%D0%B2&phone=%2B7+916+123+45+67"
        let submission = try #require(Fixtures.parseForm(body).submission)
        #expect(submission.personal.name == "Иван Петров")
        #expect(submission.personal.phone == "+79161234567")
    }

    @Test func emailAloneIsEnough() throws {
        let submission = try #require(Fixtures.parseForm("email=a%40b.ru").submission)
        #expect(submission.personal.email == "a@b.ru")
        #expect(submission.personal.phone == nil)
    }

    @Test(arguments: [
        "application/json", "Application/JSON; charset=\"UTF-8\"", "application/json;charset=utf-8",
        "application/json; charset=utf8; foo=bar", " application/json ",
    ])
    func jsonContentTypesAreAccepted(contentType: String) {
        let result = SubmissionParser.parse(body: Fixtures.json([Fixtures.phone]), contentType: contentType)
        #expect(result.submission != nil)
    }

    @Test(arguments: ["application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=UTF-8"])
    func formContentTypesAreAccepted(contentType: String) {
        let result = SubmissionParser.parse(body: Fixtures.form([Fixtures.phone]), contentType: contentType)
        #expect(result.submission != nil)
    }

    @Test(
        arguments: [
            nil, "", "text/plain", "multipart/form-data; boundary=x", "application/json; charset=windows-1251",
            "application/x-www-form-urlencoded; charset=koi8-r", "application/jsonx", "application/json;charset",
            "application/json; charset=", "application/vnd.api+json", "application/json" + String(repeating: " ", count: 300),
        ] as [String?])
    func otherContentTypesAre415(contentType: String?) throws {
        let rejection = try #require(
            SubmissionParser.parse(body: Fixtures.json([Fixtures.phone]), contentType: contentType).rejection)
        #expect(rejection.status == 415)
        #expect(rejection.field == nil)
    }

    @Test func bodySizeIsCheckedBeforeContentType() throws {
        let body = [UInt8](repeating: 0xFF, count: IngestLimits().maxBodyBytes + 1)
        let rejection = try #require(SubmissionParser.parse(body: body, contentType: nil).rejection)
        #expect(rejection.status == 413)
    }

    @Test(arguments: [
        "", "   ", "{", "}", "{\"phone\":}", "[]", "[{\"phone\":\"89161234567\"}]", "\"x\"", "42", "null",
        "{\"phone\":\"89161234567\"} x", "{\"phone\":\"89161234567\"}{}", "{\"a\":1,}", "{'a':1}", "{a:1}", "{\"a\":01}",
        "{\"a\":1.}", "{\"a\":-}", "{\"a\":+1}", "{\"a\":.5}", "{\"a\":1e}", "{\"a\":\"\\x\"}", "{\"a\":\"\\ud800\"}",
        "{\"a\":\"\\udc00\"}", "{\"a\":\"\\ud800\\u0041\"}", "{\"a\":\"\\u12\"}", "{\"a\":tru}", "{\"a\":nul}",
        "{\"a\":True}", "{\"a\":[1,]}", "{\"a\":[1 2]}", "{\"a\":{\"b\"}}", "{\"a\":{\"b\":1,}}", "{\"a\" 1}",
        "{\"a\":1 /* c */}", "{\"a\":\"unterminated}", "\u{FEFF}{\"phone\":\"89161234567\"}", "{\"a\":\"tab\there\"}",
        "{\"a\":NaN}", "{\"a\":Infinity}",
    ])
    func malformedJSONIs400(body: String) throws {
        let rejection = try #require(Fixtures.parseJSON(body).rejection)
        #expect(rejection.status == 400, "\(body.debugDescription) → \(rejection)")
    }

    @Test(arguments: [
        [UInt8]("{\"phone\":\"89161234567\",\"name\":\"".utf8) + [0xFF] + [UInt8]("\"}".utf8),
        [UInt8]("{\"phone\":\"89161234567\",\"name\":\"".utf8) + [0xC3, 0x28] + [UInt8]("\"}".utf8),
        [UInt8]("{\"phone\":\"89161234567\",\"name\":\"".utf8) + [0xED, 0xA0, 0x80] + [UInt8]("\"}".utf8),  // CESU surrogate
        [UInt8]("{\"phone\":\"89161234567\",\"name\":\"".utf8) + [0xC0, 0xAF] + [UInt8]("\"}".utf8),  // overlong /
    ])
    func invalidUTF8InJSONIs400(body: [UInt8]) throws {
        let rejection = try #require(SubmissionParser.parse(body: body, contentType: Fixtures.jsonType).rejection)
        #expect(rejection == .invalidUTF8)
    }

    @Test(arguments: ["phone=89161234567&name=%FF", "phone=89161234567&name=%C3%28", "phone=89161234567&name=%ED%A0%80"])
    func invalidUTF8InFormIs400NamingTheField(body: String) throws {
        let rejection = try #require(Fixtures.parseForm(body).rejection)
        #expect(rejection.status == 400)
        #expect(rejection.field == "name")
    }

    @Test func rawNonUTF8BytesInFormAre400() throws {
        let body = [UInt8]("phone=89161234567&name=".utf8) + [0xFF, 0xFE]
        let rejection = try #require(SubmissionParser.parse(body: body, contentType: Fixtures.formType).rejection)
        #expect(rejection.status == 400)
    }

    @Test(arguments: ["phone=89161234567&name=100%", "phone=89161234567&name=%2", "phone=89161234567&name=%zz", "%=1"])
    func brokenPercentEscapesAre400(body: String) throws {
        let rejection = try #require(Fixtures.parseForm(body).rejection)
        #expect(rejection.status == 400)
    }

    @Test func formReadsPlusAsSpaceAndIgnoresEmptySegments() throws {
        let submission = try #require(Fixtures.parseForm("&&name=Anna+Maria&&phone=9161234567&flag&").submission)
        #expect(submission.personal.name == "Anna Maria")
        #expect(submission.personal.extra.isEmpty)  // `flag` without a value is an empty, hence absent, field
    }

    @Test func neitherPhoneNorEmailIs422OnPhone() throws {
        for result in [Fixtures.parseJSON([("name", "Иван")]), Fixtures.parseForm(""), Fixtures.parseJSON("{}")] {
            let rejection = try #require(result.rejection)
            #expect(rejection == .contactMissing)
            #expect(rejection.status == 422)
            #expect(rejection.field == "phone")
        }
    }

    @Test func emptyAfterTrimmingIsAbsent() throws {
        let submission = try #require(
            Fixtures.parseJSON([("phone", "89161234567"), ("email", "  "), ("name", "\t\n"), ("utm_source", "\u{3000}")])
                .submission)
        #expect(submission.personal.email == nil)
        #expect(submission.personal.name == nil)
        #expect(submission.utm.source == nil)
        let rejection = try #require(Fixtures.parseJSON([("phone", " "), ("email", "")]).rejection)
        #expect(rejection == .contactMissing)
    }

    @Test func badPhoneIs422WithoutEchoingTheNumber() throws {
        let rejection = try #require(Fixtures.parseJSON([("phone", "8 903 777 12 3X")]).rejection)
        #expect(rejection == .invalidPhone)
        #expect(rejection.status == 422 && rejection.field == "phone")
        #expect(!rejection.jsonBody.contains("777"))
    }

    @Test func badEmailIs422WithoutEchoingTheAddress() throws {
        let rejection = try #require(Fixtures.parseJSON([("email", "ivan.petrov@@mail.ru")]).rejection)
        #expect(rejection.status == 422 && rejection.field == "email")
        #expect(!rejection.jsonBody.contains("petrov"))
    }

    @Test(arguments: [
        "ftp://example.com/", "example.com", "//example.com", "http://", "https://?q", "https:///path",
        "https://exa mple.com", "javascript:alert(1)", "https:\\\\example.com", "mailto:a@b.ru",
    ])
    func pageURLMustBeHTTP(url: String) throws {
        let rejection = try #require(Fixtures.parseJSON([Fixtures.phone, ("page_url", url)]).rejection)
        #expect(rejection == .invalidPageURL)
    }

    @Test(arguments: ["http://example.com", "HTTPS://Example.com:8443/a?b=c#d", "https://user@host/x", "http://[::1]:80/"])
    func pageURLAcceptsHTTPAndHTTPS(url: String) throws {
        let submission = try #require(Fixtures.parseJSON([Fixtures.phone, ("page_url", url)]).submission)
        #expect(submission.personal.pageURL == url)
    }

    @Test(arguments: [
        ("name", "Ив\u{0}ан"), ("name", "a\u{7F}b"), ("name", "a\u{85}b"), ("name", "a\u{2028}b"), ("name", "a\nb"),
        ("name", "a\tb"), ("email", "a\u{1B}@b.ru"), ("phone", "8916\u{0}1234567"), ("comment", "line\u{1B}[31m"),
        ("comment", "a\u{2029}b"), ("comment", "a\u{9F}b"), ("form_id", "f\u{8}"), ("utm_term", "x\u{7}y"),
        ("page_url", "https://a.ru/\u{0}"), ("_redirect", "/ok\u{0}"), ("city", "Мос\u{0}ква"),
    ])
    func controlCharactersAre422NamingTheField(field: String, value: String) throws {
        let pairs = field == "email" ? [(field, value)] : [("email", "a@b.ru"), (field, value)]
        let rejection = try #require(Fixtures.parseJSON(pairs).rejection)
        #expect(rejection == .controlCharacters(field))
    }

    @Test func commentKeepsNewlinesAndTabsAndNormalisesCarriageReturns() throws {
        let submission = try #require(
            Fixtures.parseForm([Fixtures.phone, ("comment", "a\r\nb\rc\n\td\r\n")]).submission)
        #expect(submission.personal.comment == "a\nb\nc\n\td")
    }

    @Test func textIsNormalisedToNFC() throws {
        let decomposed = "И\u{0306}оршкар"  // Й typed as И + combining breve
        let submission = try #require(Fixtures.parseJSON([Fixtures.phone, ("name", decomposed), ("e\u{0301}", "x")]).submission)
        #expect(submission.personal.name?.unicodeScalars.first == "Й")
        #expect(submission.personal.name?.unicodeScalars.count == 7)
        #expect(submission.personal.extra.keys.first?.unicodeScalars.count == 1)
    }

    @Test func jsonNumbersAndBooleansBecomeTextAndNullIsAbsent() throws {
        let body = #"{"phone": 89161234567, "email": null, "subscribed": true, "opted_out": false, "qty": -2.5e3, "note": null}"#
        let submission = try #require(Fixtures.parseJSON(body).submission)
        #expect(submission.personal.phone == "+79161234567")
        #expect(submission.personal.email == nil)
        #expect(submission.personal.extra == ["subscribed": "true", "opted_out": "false", "qty": "-2.5e3"])
    }

    @Test func jsonEscapesAreDecoded() throws {
        let body = #"{"phone":"8916\u0031234567","name":"\u0418\u0432\u0430\u043d \"\/\\","emoji":"\ud83d\ude00"}"#
        let submission = try #require(Fixtures.parseJSON(body).submission)
        #expect(submission.personal.phone == "+79161234567")
        #expect(submission.personal.name == "Иван \"/\\")
        #expect(submission.personal.extra["emoji"] == "😀")
    }

    @Test(arguments: ["phone", "name", "utm_source", "_redirect", "website", "custom"])
    func duplicateJSONKeysAre422NamingTheField(key: String) throws {
        let rejection = try #require(Fixtures.parseJSON([("email", "a@b.ru"), (key, "1"), (key, "2")]).rejection)
        #expect(rejection == .duplicateField(key))
    }

    @Test func duplicateFormKeysAre422NamingTheField() throws {
        let rejection = try #require(Fixtures.parseForm("phone=89161234567&interest=a&interest=b").rejection)
        #expect(rejection == .duplicateField("interest"))
        let phone = try #require(Fixtures.parseForm("phone=89161234567&phone=89161234567").rejection)
        #expect(phone.field == "phone")
    }

    @Test func duplicateKeysCountEvenWhenOneIsNull() throws {
        let rejection = try #require(Fixtures.parseJSON(#"{"phone":"89161234567","name":null,"name":"x"}"#).rejection)
        #expect(rejection == .duplicateField("name"))
    }

    @Test(arguments: ["phone", "name", "comment", "page_url", "utm_term", "_redirect", "city"])
    func nestedValuesAre422NamingTheField(key: String) throws {
        for nested in [#"{"a":1}"#, "[1,2]", "[]", "{}"] {
            let body = #"{"email":"a@b.ru","\#(key)":\#(nested)}"#
            let rejection = try #require(Fixtures.parseJSON(body).rejection)
            #expect(rejection == .nestedValue(key))
        }
    }

    @Test func malformedJSONInsideANestedValueIsStill400() throws {
        let rejection = try #require(Fixtures.parseJSON(#"{"email":"a@b.ru","city":[1,}"#).rejection)
        #expect(rejection.status == 400)
    }

    @Test func honeypotFilledInIsMarkedAndNotKept() throws {
        let submission = try #require(Fixtures.parseForm([Fixtures.phone, ("website", "http://spam.example")]).submission)
        #expect(submission.honeypotTripped)
        #expect(submission.personal.extra.isEmpty)
    }

    @Test(arguments: ["", "   "])
    func honeypotLeftEmptyIsNotTripped(value: String) throws {
        let submission = try #require(Fixtures.parseForm([Fixtures.phone, ("website", value)]).submission)
        #expect(!submission.honeypotTripped)
        #expect(submission.personal.extra.isEmpty)
    }

    @Test func honeypotValueIsNotValidated() throws {
        let junk = String(repeating: "\u{0}x", count: 5000)
        let submission = try #require(Fixtures.parseJSON([Fixtures.phone, ("website", junk)]).submission)
        #expect(submission.honeypotTripped)
        let nested = try #require(Fixtures.parseJSON(#"{"phone":"89161234567","website":{"a":1}}"#).submission)
        #expect(nested.honeypotTripped)
    }

    @Test func honeypotNameIsConfigurable() throws {
        let submission = try #require(
            Fixtures.parseForm(
                [Fixtures.phone, ("hp_field", "x"), ("website", "https://real.example")], honeypotField: "hp_field"
            )
            .submission)
        #expect(submission.honeypotTripped)
        #expect(submission.personal.extra == ["website": "https://real.example"])
        let off = try #require(Fixtures.parseForm([Fixtures.phone, ("website", "x")], honeypotField: "").submission)
        #expect(!off.honeypotTripped)
        #expect(off.personal.extra == ["website": "x"])
    }

    @Test func redirectIsKeptRawAndNeverInExtra() throws {
        let submission = try #require(
            Fixtures.parseForm([Fixtures.phone, ("_redirect", "https://evil.example/x")]).submission)
        #expect(submission.redirect == "https://evil.example/x")
        #expect(submission.personal.extra.isEmpty)
    }

    @Test func unknownFieldsAreKeptInExtra() throws {
        let submission = try #require(
            Fixtures.parseForm([Fixtures.phone, ("city", " Москва "), ("quiz_answer", "2 комнаты\r\nс балконом"), ("empty", "")])
                .submission)
        #expect(submission.personal.extra == ["city": "Москва", "quiz_answer": "2 комнаты\nс балконом"])
    }

    @Test(arguments: ["", "a\u{0}b", "tab\tkey"])
    func unknownFieldsWithUnusableNamesAre422OnExtra(key: String) throws {
        let rejection = try #require(Fixtures.parseJSON([Fixtures.phone, (key, "value")]).rejection)
        #expect(rejection == .invalidExtraName(64))
        #expect(rejection.field == "extra")
    }
}
