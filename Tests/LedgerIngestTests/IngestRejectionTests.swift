import Foundation
import Testing

@testable import LedgerIngest

struct IngestRejectionTests {
    @Test func jsonBodyHasErrorAndField() {
        let rejection = IngestRejection(status: 422, error: "The email address is not valid.", field: "email")
        #expect(rejection.jsonBody == #"{"error":"The email address is not valid.","field":"email"}"#)
    }

    @Test func jsonBodyLeavesOutANilField() {
        #expect(IngestRejection(status: 413, error: "Too large.").jsonBody == #"{"error":"Too large."}"#)
    }

    @Test(arguments: [
        "quote\" back\\slash", "line\nbreak\ttab\r", "nul\u{0}bell\u{7}del\u{7F}c1\u{85}", "ls\u{2028}ps\u{2029}", "Поле 😀",
    ])
    func jsonBodyEscapesWhatJSONNeeds(field: String) throws {
        let rejection = IngestRejection(status: 400, error: "E \(field)", field: field)
        let body = rejection.jsonBody
        #expect(!body.unicodeScalars.contains { $0.value < 0x20 || $0 == "\u{2028}" || $0 == "\u{2029}" })
        let object = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: String])
        #expect(object == ["error": "E \(field)", "field": field])
    }

    @Test func everyStatusTheParserProducesIsReachable() throws {
        var statuses: Set<Int> = []
        let bodies: [([UInt8], String?)] = [
            ([UInt8](repeating: 0x20, count: IngestLimits().maxBodyBytes + 1), Fixtures.jsonType),  // 413
            (Fixtures.json([Fixtures.phone]), "text/plain"),  // 415
            (Array("{".utf8), Fixtures.jsonType),  // 400
            (Fixtures.json([("name", "x")]), Fixtures.jsonType),  // 422
        ]
        for (body, contentType) in bodies {
            let rejection = try #require(SubmissionParser.parse(body: body, contentType: contentType).rejection)
            statuses.insert(rejection.status)
        }
        #expect(statuses == [400, 413, 415, 422])
    }
}
