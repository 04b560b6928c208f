import Foundation
import LedgerCore
import Testing

struct LedgerEventDecodingTests {
    static let lead = LeadID.make(at: Timestamp(millisecondsSinceEpoch: 1_795_000_000_000))

    static let samples: [LedgerEvent] = [
        .syncAttempted(SyncAttempted(leadID: lead, attempt: 1, attemptID: "a-1", target: .amocrm)),
        .syncFailed(
            SyncFailed(
                leadID: lead, attemptID: "a-1", attempt: 1, errorClass: .serverError, httpStatus: 502, message: "Bad Gateway",
                retryable: true, nextAttemptAt: Timestamp(millisecondsSinceEpoch: 1_795_000_060_000))),
        .syncFailed(
            SyncFailed(
                leadID: lead, attemptID: "a-2", attempt: 2, errorClass: .rejected, httpStatus: 400, message: "bad phone",
                retryable: false, nextAttemptAt: nil)),
        .syncSucceeded(SyncSucceeded(leadID: lead, attemptID: "a-3", attempt: 3, crmLeadID: 42, crmContactID: 43, merged: true)),
        .alertRaised(
            AlertRaised(
                alertID: "al-1", kind: "crm_failures", severity: .critical, dedupeKey: "crm", message: "AmoCRM down",
                subject: "amocrm")),
        .leadErased(LeadErased(leadID: lead, reason: "consent withdrawn")),
        .leadRequeued(LeadRequeued(leadID: lead, requestedBy: "cli")),
    ]

    @Test(arguments: samples)
    func everyEventRoundTripsThroughItsStoredForm(_ event: LedgerEvent) throws {
        let data = try event.encodedData()
        let decoded = try LedgerEvent.decode(type: event.type.rawValue, schemaVersion: event.schemaVersion, data: data)
        #expect(decoded == event)
    }

    @Test func storedFormHasSortedKeysAndSnakeCaseNames() throws {
        let data = try Self.samples[1].encodedData()
        #expect(data.hasPrefix(#"{"attempt":1,"attempt_id":"a-1","error_class":"server_error","http_status":502"#))
    }

    @Test func unknownFieldIsRejectedByStrictDecoding() throws {
        let data = try Self.samples[0].encodedData()
        let tampered = data.replacingOccurrences(of: #""attempt":1"#, with: #""attempt":1,"injected":true"#)
        #expect(throws: EventDecodingError.self) {
            try LedgerEvent.decode(type: "SyncAttempted", schemaVersion: 1, data: tampered)
        }
        // Lenient decoding (projectors, after verify) accepts it.
        #expect(try LedgerEvent.decode(type: "SyncAttempted", schemaVersion: 1, data: tampered, strict: false) == Self.samples[0])
    }

    @Test func differentlyFormattedButEqualJSONStillDecodesStrictly() throws {
        let data = try Self.samples[0].encodedData()
        let spaced = data.replacingOccurrences(of: ",", with: ", ")
        #expect(try LedgerEvent.decode(type: "SyncAttempted", schemaVersion: 1, data: spaced) == Self.samples[0])
    }

    @Test func unknownTypeAndFutureSchemaVersionAreNamed() throws {
        #expect(throws: EventDecodingError.unknownType("LeadTeleported")) {
            try LedgerEvent.decode(type: "LeadTeleported", schemaVersion: 1, data: "{}")
        }
        let data = try Self.samples[0].encodedData()
        #expect(throws: EventDecodingError.unknownSchemaVersion(type: "SyncAttempted", version: 2)) {
            try LedgerEvent.decode(type: "SyncAttempted", schemaVersion: 2, data: data)
        }
    }

    @Test func invariantsBeyondJSONShapeAreChecked() throws {
        let zeroAttempt = LedgerEvent.syncAttempted(SyncAttempted(leadID: Self.lead, attempt: 0, attemptID: "a", target: .amocrm))
        #expect(throws: EventValidationError.self) { try zeroAttempt.payload.validate() }
        let retryWithoutRetryable = SyncFailed(
            leadID: Self.lead, attemptID: "a", attempt: 1, errorClass: .rejected, httpStatus: 400, message: "x",
            retryable: false, nextAttemptAt: Timestamp(millisecondsSinceEpoch: 1))
        #expect(throws: EventValidationError.self) { try retryWithoutRetryable.validate() }
        let badStatus = SyncFailed(
            leadID: Self.lead, attemptID: "a", attempt: 1, errorClass: .serverError, httpStatus: 1000, message: "x",
            retryable: true, nextAttemptAt: nil)
        #expect(throws: EventValidationError.self) { try badStatus.validate() }
    }

    @Test func malformedBodyIsReportedWithItsType() {
        #expect {
            try LedgerEvent.decode(type: "SyncSucceeded", schemaVersion: 1, data: #"{"lead_id":"x"}"#)
        } throws: { error in
            guard case .malformed(let type, _) = error as? EventDecodingError else { return false }
            return type == "SyncSucceeded"
        }
    }
}

extension LedgerEvent: CustomTestStringConvertible {
    public var testDescription: String { type.rawValue }
}
