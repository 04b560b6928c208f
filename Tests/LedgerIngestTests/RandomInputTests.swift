import Foundation
import LedgerCore
import Testing

@testable import LedgerIngest

/// The parser's contract under hostile input: it always returns, and every rejection is a well-formed answer.
struct RandomInputTests {
    static let contentTypes: [String?] = [
        Fixtures.jsonType, Fixtures.formType, nil, "text/plain", "application/json; charset=utf-8",
    ]

    static let seeds: [[UInt8]] = [
        Fixtures.json(FingerprintTests.lead), Fixtures.form(FingerprintTests.lead),
        Array(#"{"phone":89161234567,"x":[1,{"a":null}],"email":"a@b.ru","t":true}"#.utf8),
        Array("phone=%2B7+916+123-45-67&comment=a%0D%0Ab&website=&_redirect=%2F".utf8),
    ]

    @Test func tenThousandRandomBodiesAlwaysGetAnAnswer() throws {
        var random = SplitMix64(seed: 0x1ead_1ed6e4)
        var statuses: [Int: Int] = [:]
        var accepted = 0
        let small = IngestLimits(
            maxBodyBytes: 300, maxNameBytes: 8, maxEmailBytes: 20, maxPhoneBytes: 16, maxCommentBytes: 10,
            maxShortFieldBytes: 4, maxPageURLBytes: 20, maxExtraFields: 2, maxExtraKeyBytes: 3, maxExtraValueBytes: 5,
            maxFormPairs: 6, maxJSONDepth: 3)
        for iteration in 0..<10_000 {
            let body = Self.body(&random, iteration: iteration)
            let contentType = Self.contentTypes[Int(random.next() % UInt64(Self.contentTypes.count))]
            let limits = random.next() % 4 == 0 ? small : IngestLimits()
            switch SubmissionParser.parse(body: body, contentType: contentType, limits: limits) {
            case .success(let submission):
                accepted += 1
                #expect(submission.personal.phone != nil || submission.personal.email != nil)
                #expect(Hex.isDigest(submission.fingerprint))
            case .failure(let rejection):
                statuses[rejection.status, default: 0] += 1
                #expect([400, 413, 415, 422].contains(rejection.status))
                let object = try JSONSerialization.jsonObject(with: Data(rejection.jsonBody.utf8)) as? [String: Any]
                #expect(object?["error"] is String, "\(rejection.jsonBody)")
                #expect(rejection.error.utf8.count < 200)
            }
        }
        // The mutated seeds must reach past the first checks, or this test exercises nothing.
        #expect(accepted > 0)
        #expect(statuses.keys.count == 4, "\(statuses)")
    }

    // MARK: - Helpers

    /// Pure noise, or a valid body with a few bytes flipped, inserted or removed (which reaches the field checks).
    private static func body(_ random: inout SplitMix64, iteration: Int) -> [UInt8] {
        if iteration % 2 == 0 {
            let length = Int(random.next() % 400)
            return (0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        }
        var body = seeds[Int(random.next() % UInt64(seeds.count))]
        let interesting: [UInt8] = Array("{}[]\",:%+&=\\u0\u{7f}".utf8) + [0x00, 0x0A, 0x0D, 0x80, 0xC3, 0xD0, 0xFF]
        for _ in 0...Int(random.next() % 4) {
            let position = body.isEmpty ? 0 : Int(random.next() % UInt64(body.count))
            let byte =
                random.next() % 2 == 0
                ? interesting[Int(random.next() % UInt64(interesting.count))] : UInt8(truncatingIfNeeded: random.next())
            switch random.next() % 3 {
            case 0 where !body.isEmpty: body[position] = byte
            case 1: body.insert(byte, at: position)
            default: if !body.isEmpty { body.remove(at: position) }
            }
        }
        return body
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): a tiny seeded generator, so a failing input can be replayed.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
