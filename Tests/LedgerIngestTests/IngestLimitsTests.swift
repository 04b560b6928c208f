import LedgerCore
import Testing

@testable import LedgerIngest

/// Every limit on both sides of its boundary: exactly at the limit is accepted, one byte over is refused by name.
struct IngestLimitsTests {
    /// A field, its default limit, and a way to build a valid value of an exact UTF-8 length.
    struct Case: Sendable, CustomTestStringConvertible {
        var field: String
        var limit: Int
        var value: @Sendable (Int) -> String
        var testDescription: String { "\(field) ≤ \(limit)" }
    }

    static let defaults = IngestLimits()

    static let cases: [Case] = [
        Case(field: "name", limit: defaults.maxNameBytes) { String(repeating: "a", count: $0) },
        Case(field: "comment", limit: defaults.maxCommentBytes) { String(repeating: "c", count: $0) },
        Case(field: "form_id", limit: defaults.maxShortFieldBytes) { String(repeating: "f", count: $0) },
        Case(field: "utm_source", limit: defaults.maxShortFieldBytes) { String(repeating: "s", count: $0) },
        Case(field: "utm_medium", limit: defaults.maxShortFieldBytes) { String(repeating: "m", count: $0) },
        Case(field: "utm_campaign", limit: defaults.maxShortFieldBytes) { String(repeating: "c", count: $0) },
        Case(field: "utm_content", limit: defaults.maxShortFieldBytes) { String(repeating: "c", count: $0) },
        Case(field: "utm_term", limit: defaults.maxShortFieldBytes) { String(repeating: "t", count: $0) },
        Case(field: "page_url", limit: defaults.maxPageURLBytes) { "https://e.ru/" + String(repeating: "p", count: $0 - 13) },
        Case(field: "_redirect", limit: defaults.maxPageURLBytes) { "/" + String(repeating: "r", count: $0 - 1) },
        Case(field: "city", limit: defaults.maxExtraValueBytes) { String(repeating: "x", count: $0) },
        Case(field: "email", limit: defaults.maxEmailBytes) { email(ofLength: $0) },
        Case(field: "phone", limit: defaults.maxPhoneBytes) { "8" + String(repeating: " ", count: $0 - 11) + "9161234567" },
    ]

    @Test(arguments: cases)
    func fieldExactlyAtItsLimitIsAccepted(_ limitCase: Case) throws {
        let value = limitCase.value(limitCase.limit)
        #expect(value.utf8.count == limitCase.limit)
        let result = Fixtures.parseJSON(pairs(limitCase.field, value))
        #expect(result.submission != nil, "\(result.rejection?.description ?? "")")
    }

    @Test(arguments: cases)
    func fieldOneByteOverItsLimitIs422NamingIt(_ limitCase: Case) throws {
        let value = limitCase.value(limitCase.limit + 1)
        #expect(value.utf8.count == limitCase.limit + 1)
        let rejection = try #require(Fixtures.parseJSON(pairs(limitCase.field, value)).rejection)
        #expect(rejection == .tooLong(limitCase.field, max: limitCase.limit))
    }

    @Test func limitsCountBytesNotCharacters() throws {
        let name = String(repeating: "Ж", count: 128)  // 256 bytes
        #expect(Fixtures.parseJSON([Fixtures.phone, ("name", name)]).submission != nil)
        let rejection = try #require(Fixtures.parseJSON([Fixtures.phone, ("name", name + "Ж")]).rejection)
        #expect(rejection.field == "name")
    }

    @Test func bodyOfExactlyMaxBytesIsReadAndOneMoreIs413() throws {
        let limit = IngestLimits().maxBodyBytes
        let lead = Array(#"{"phone":"89161234567"}"#.utf8)
        let exact = lead + [UInt8](repeating: 0x20, count: limit - lead.count)
        #expect(SubmissionParser.parse(body: exact, contentType: Fixtures.jsonType).submission != nil)
        let rejection = try #require(SubmissionParser.parse(body: exact + [0x20], contentType: Fixtures.jsonType).rejection)
        #expect(rejection == .bodyTooLarge(limit))
        #expect(rejection.status == 413)
    }

    @Test func extraFieldCountLimit() throws {
        let max = IngestLimits().maxExtraFields
        let atLimit = [Fixtures.phone] + (0..<max).map { ("k\($0)", "v") }
        #expect(Fixtures.parseForm(atLimit).submission?.personal.extra.count == max)
        let rejection = try #require(Fixtures.parseForm(atLimit + [("one_more", "v")]).rejection)
        #expect(rejection == .tooManyExtraFields(max))
        #expect(rejection.field == "extra")
    }

    @Test func emptyUnknownFieldsDoNotCountAgainstExtra() throws {
        let pairs = [Fixtures.phone] + (0..<100).map { ("k\($0)", "") }
        #expect(Fixtures.parseForm(pairs).submission?.personal.extra.isEmpty == true)
    }

    @Test func extraKeyLengthLimit() throws {
        let max = IngestLimits().maxExtraKeyBytes
        let atLimit = try #require(Fixtures.parseJSON([Fixtures.phone, (String(repeating: "k", count: max), "v")]).submission)
        #expect(atLimit.personal.extra.count == 1)
        let rejection = try #require(
            Fixtures.parseJSON([Fixtures.phone, (String(repeating: "k", count: max + 1), "v")]).rejection)
        #expect(rejection == .invalidExtraName(max))
    }

    @Test func pairLimitCountsEveryPairInAForm() throws {
        let max = IngestLimits().maxFormPairs
        let pairs = [Fixtures.phone] + (1..<max).map { ("k\($0)", "") }
        #expect(pairs.count == max)
        #expect(Fixtures.parseForm(pairs).submission != nil)
        let rejection = try #require(Fixtures.parseForm(pairs + [("k_last", "")]).rejection)
        #expect(rejection == .tooManyPairs(max))
        #expect(rejection.status == 422 && rejection.field == nil)
    }

    @Test func pairLimitCountsEveryMemberInJSON() throws {
        let max = IngestLimits().maxFormPairs
        let members = [#""phone":"89161234567""#] + (1..<max).map { #""k\#($0)":null"# }
        let body = "{" + members.joined(separator: ",") + "}"
        #expect(Fixtures.parseJSON(body).submission != nil)
        let over = "{" + (members + [#""k_last":null"#]).joined(separator: ",") + "}"
        #expect(Fixtures.parseJSON(over).rejection == .tooManyPairs(max))
    }

    @Test func nestingUpToMaxDepthIs422AndDeeperIs400() throws {
        let max = IngestLimits().maxJSONDepth
        // The top-level object is depth 1, so the field's value may open max - 1 containers.
        let atLimit = #"{"phone":"89161234567","deep":"# + nested(max - 1) + "}"
        #expect(Fixtures.parseJSON(atLimit).rejection == .nestedValue("deep"))
        let over = #"{"phone":"89161234567","deep":"# + nested(max) + "}"
        let rejection = try #require(Fixtures.parseJSON(over).rejection)
        #expect(rejection == .jsonTooDeep(field: "deep", max: max))
        #expect(rejection.status == 400)
    }

    @Test func hugeNestingIsRefusedWithoutExhaustingTheStack() throws {
        let body = #"{"phone":"89161234567","deep":"# + String(repeating: "[", count: 60_000)
        #expect(Fixtures.parseJSON(body).rejection?.status == 400)
        let configured = IngestLimits(maxJSONDepth: 10_000_000)
        #expect(Fixtures.parseJSON(body, limits: configured).rejection?.status == 400)
    }

    @Test func customLimitsAreHonoured() throws {
        let limits = IngestLimits(maxBodyBytes: 40, maxNameBytes: 4)
        #expect(Fixtures.parseJSON([Fixtures.phone, ("name", "Ив")], limits: limits).rejection?.status == 413)
        let small = IngestLimits(maxNameBytes: 4)
        #expect(Fixtures.parseJSON([Fixtures.phone, ("name", "Ивн")], limits: small).rejection == .tooLong("name", max: 4))
        #expect(Fixtures.parseJSON([Fixtures.phone, ("name", "Ив")], limits: small).submission?.personal.name == "Ив")
    }

    // MARK: - Helpers

    /// The field under test next to a contact, so only that field can be at fault.
    private func pairs(_ field: String, _ value: String) -> [(String, String)] {
        field == "email" ? [Fixtures.phone, (field, value)] : [("email", "a@b.ru"), (field, value)]
    }

    private func nested(_ depth: Int) -> String {
        String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
    }

    /// A valid address of exactly `length` bytes: a 64-byte local part and a domain of labels up to 63 bytes.
    static func email(ofLength length: Int) -> String {
        let local = String(repeating: "l", count: 64)
        var remaining = length - local.count - 1 - 3  // "@" and ".ru"
        var labels: [String] = []
        while remaining > 0 {
            let size = min(remaining, 60)
            labels.append(String(repeating: "d", count: size))
            remaining -= size + 1  // the label and its dot
        }
        var domain = labels.joined(separator: ".") + ".ru"
        // Each label was charged a dot; the last one's dot is the ".ru" one. Ending on 0 leaves one byte to place.
        if remaining == 0 { domain = "d" + domain }
        return local + "@" + domain
    }
}
